package io.gpufaas.udf.repo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpufaas.core.contract.FunctionSpec;
import io.gpufaas.core.contract.InputKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads a model repository laid out like Triton's or DJL Serving's:
 *
 * <pre>
 * &lt;repo&gt;/&lt;function&gt;/function.json        descriptor (see docs/functions.md)
 * &lt;repo&gt;/&lt;function&gt;/&lt;version&gt;/model.pt   TorchScript; the highest numeric version is served
 * </pre>
 *
 * Every problem is reported at once, by path, and nothing outside the repository is ever read:
 * names are checked against {@link FunctionSpec#NAME}, and real paths (after symlinks) must stay
 * inside the repository's real path.
 */
public final class ModelRepository {

    public static final String DESCRIPTOR = "function.json";
    public static final String DEFAULT_MODEL_FILE = "model.pt";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelRepository() {}

    public static List<FunctionDefinition> scan(Path root) {
        List<String> problems = new ArrayList<>();
        List<FunctionDefinition> functions = new ArrayList<>();
        Path realRoot;
        try {
            realRoot = root.toRealPath();
        } catch (IOException e) {
            throw new RepositoryException(root.toString(), List.of("cannot read the repository: " + e));
        }
        if (!Files.isDirectory(realRoot)) {
            throw new RepositoryException(root.toString(), List.of("not a directory"));
        }
        try (Stream<Path> entries = Files.list(realRoot)) {
            for (Path dir : entries.sorted().toList()) {
                String name = dir.getFileName().toString();
                if (name.startsWith(".") || !Files.isDirectory(dir)) {
                    continue; // README files, .gitkeep and the like
                }
                try {
                    functions.add(read(realRoot, dir, 0));
                } catch (DescriptorProblem p) {
                    problems.add(name + ": " + p.getMessage());
                }
            }
        } catch (IOException e) {
            problems.add("cannot list the repository: " + e);
        }
        if (!problems.isEmpty()) {
            throw new RepositoryException(root.toString(), problems);
        }
        return functions;
    }

    /**
     * Reads one function of the repository, e.g. when it is deployed while the job runs. Throws
     * {@link RepositoryException} with the problem if it is missing or invalid.
     */
    public static FunctionDefinition readFunction(Path root, String name) {
        return readFunction(root, name, 0);
    }

    /**
     * Reads one function at model version {@code version} (its {@code <version>/} directory),
     * whatever version the descriptor names: a DEPLOY that pins a version, or a worker asked to
     * run invocations accepted for an older one. 0 reads the version the descriptor serves.
     */
    public static FunctionDefinition readFunction(Path root, String name, int version) {
        if (!FunctionSpec.isValidName(name)) {
            throw new RepositoryException(root.toString(), List.of(name + ": not a valid function name (" + FunctionSpec.NAME + ")"));
        }
        try {
            Path realRoot = root.toRealPath();
            Path dir = realRoot.resolve(name);
            if (!Files.isDirectory(dir)) {
                throw new RepositoryException(root.toString(), List.of(name + ": no such function directory"));
            }
            return read(realRoot, dir, version);
        } catch (IOException e) {
            throw new RepositoryException(root.toString(), List.of("cannot read the repository: " + e));
        } catch (DescriptorProblem p) {
            throw new RepositoryException(root.toString(), List.of(name + ": " + p.getMessage()));
        }
    }

    private static FunctionDefinition read(Path realRoot, Path dir, int pinnedVersion) throws DescriptorProblem {
        String name = dir.getFileName().toString();
        if (!FunctionSpec.isValidName(name)) {
            throw new DescriptorProblem("directory name is not a valid function name (" + FunctionSpec.NAME + ")");
        }
        Path descriptorPath = inside(realRoot, dir.resolve(DESCRIPTOR), "descriptor");
        JsonNode d;
        try {
            d = JSON.readTree(descriptorPath.toFile());
        } catch (IOException e) {
            throw new DescriptorProblem(DESCRIPTOR + " is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (d == null || !d.isObject()) {
            throw new DescriptorProblem(DESCRIPTOR + " must be a JSON object");
        }
        String format = d.path("format").asText("torchscript");
        if (!format.equals("torchscript")) {
            throw new DescriptorProblem("format '" + format + "' is not supported (only torchscript)");
        }
        int version = pinnedVersion > 0 ? pinnedVersion : d.has("version") ? positiveInt(d, "version") : highestVersion(dir);
        String fileName = d.path("model").asText(DEFAULT_MODEL_FILE);
        if (fileName.contains("/") || fileName.contains("\\") || fileName.startsWith(".")) {
            throw new DescriptorProblem("'model' must be a plain file name inside the version directory, was '" + fileName + "'");
        }
        Path modelFile = inside(realRoot, dir.resolve(Integer.toString(version)).resolve(fileName), "model file");

        JsonNode input = d.path("input");
        Set<InputKind> kinds = EnumSet.noneOf(InputKind.class);
        for (JsonNode k : input.path("kinds")) {
            try {
                kinds.add(InputKind.valueOf(k.asText()));
            } catch (IllegalArgumentException e) {
                throw new DescriptorProblem("input kind '" + k.asText() + "' is not one of " + List.of(InputKind.values()));
            }
        }
        if (kinds.isEmpty()) {
            throw new DescriptorProblem("input.kinds must list IMAGE and/or TENSOR");
        }
        long[] shape = new long[input.path("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode dim = input.path("shape").get(i);
            if (!dim.isIntegralNumber() || (dim.asLong() <= 0 && dim.asLong() != -1)) {
                throw new DescriptorProblem("input.shape dimensions must be positive or -1, was " + dim);
            }
            shape[i] = dim.asLong();
        }
        ImagePreprocessing image = null;
        if (kinds.contains(InputKind.IMAGE)) {
            JsonNode img = input.path("image");
            if (!img.isObject()) {
                throw new DescriptorProblem("input.image (width, height, mean, std) is required when IMAGE is accepted");
            }
            try {
                image = new ImagePreprocessing(img.path("width").asInt(), img.path("height").asInt(),
                        floats(img.path("mean"), new float[] {0, 0, 0}), floats(img.path("std"), new float[] {1, 1, 1}));
            } catch (IllegalArgumentException e) {
                throw new DescriptorProblem("input.image: " + e.getMessage());
            }
        }
        JsonNode output = d.path("output");
        int topK = output.has("topK") ? positiveInt(output, "topK") : 5;
        List<String> labels = new ArrayList<>();
        output.path("labels").forEach(l -> labels.add(l.asText()));
        long declared = d.has("memoryBytes") ? d.path("memoryBytes").asLong(-1) : 0;
        if (declared < 0) {
            throw new DescriptorProblem("memoryBytes must be a non-negative integer");
        }
        JsonNode copies = d.path("copies");
        int minCopies = copies.has("min") ? nonNegativeInt(copies, "min") : 0;
        int maxCopies = copies.has("max") ? nonNegativeInt(copies, "max") : 0;
        if (maxCopies > 0 && minCopies > maxCopies) {
            throw new DescriptorProblem("copies.min (" + minCopies + ") exceeds copies.max (" + maxCopies + ")");
        }
        long fileBytes;
        try {
            fileBytes = Files.size(modelFile);
        } catch (IOException e) {
            throw new DescriptorProblem("cannot read " + modelFile + ": " + e.getMessage());
        }
        FunctionSpec spec;
        try {
            spec = new FunctionSpec(name, kinds, shape, version);
        } catch (IllegalArgumentException e) {
            throw new DescriptorProblem(e.getMessage());
        }
        return new FunctionDefinition(spec, version, format, modelFile.toString(), fileBytes, image, topK,
                List.copyOf(labels), declared, d.path("architecture").asText(""), minCopies, maxCopies);
    }

    private static int highestVersion(Path dir) throws DescriptorProblem {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(s -> s.matches("[0-9]{1,9}"))
                    .mapToInt(Integer::parseInt)
                    .max()
                    .orElseThrow(() -> new DescriptorProblem("no numeric version directory (e.g. 1/" + DEFAULT_MODEL_FILE + ")"));
        } catch (IOException e) {
            throw new DescriptorProblem("cannot list versions: " + e.getMessage());
        }
    }

    /** Resolves symlinks and refuses anything that lands outside the repository. */
    private static Path inside(Path realRoot, Path path, String what) throws DescriptorProblem {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS) && !Files.exists(path)) {
            throw new DescriptorProblem(what + " " + realRoot.relativize(path) + " is missing");
        }
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException e) {
            throw new DescriptorProblem(what + " " + path + " cannot be resolved: " + e.getMessage());
        }
        if (!real.startsWith(realRoot)) {
            throw new DescriptorProblem(what + " resolves to " + real + ", outside the repository");
        }
        if (!Files.isRegularFile(real)) {
            throw new DescriptorProblem(what + " " + realRoot.relativize(path) + " is not a regular file");
        }
        return real;
    }

    private static int positiveInt(JsonNode parent, String field) throws DescriptorProblem {
        JsonNode n = parent.get(field);
        if (!n.isIntegralNumber() || n.asLong() <= 0 || n.asLong() > Integer.MAX_VALUE) {
            throw new DescriptorProblem("'" + field + "' must be a positive integer, was " + n);
        }
        return n.asInt();
    }

    private static int nonNegativeInt(JsonNode parent, String field) throws DescriptorProblem {
        JsonNode n = parent.get(field);
        if (!n.isIntegralNumber() || n.asLong() < 0 || n.asLong() > 10_000) {
            throw new DescriptorProblem("'copies." + field + "' must be an integer 0-10000, was " + n);
        }
        return n.asInt();
    }

    private static float[] floats(JsonNode array, float[] fallback) {
        if (!array.isArray()) {
            return fallback;
        }
        float[] values = new float[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) array.get(i).asDouble();
        }
        return values;
    }

    private static final class DescriptorProblem extends Exception {
        DescriptorProblem(String message) {
            super(message, null, false, false);
        }
    }
}
