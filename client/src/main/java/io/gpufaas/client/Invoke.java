package io.gpufaas.client;

import io.gpufaas.core.contract.EventJson;
import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.contract.ResultStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * {@code scripts/invoke.sh}: invokes one function and prints its result as contract JSON.
 *
 * <pre>Invoke FUNCTION (--text T | --image FILE | --tensor FILE --shape 1,4) [--timeout 5s]
 *        [--bootstrap HOST:PORT] [--invocations TOPIC] [--results TOPIC]</pre>
 *
 * A tensor file holds the values as text, separated by spaces, commas or newlines. Exit status:
 * 0 OK, 1 ERROR, EXPIRED or refused (a dead letter), 2 no result within the timeout, 64 bad arguments.
 */
public final class Invoke {

    private Invoke() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args[0].startsWith("--")) {
            usage("a function name comes first");
        }
        String function = args[0];
        String text = null;
        Path image = null;
        Path tensor = null;
        String shape = null;
        Duration timeout = Duration.ofSeconds(30);
        String bootstrap = "127.0.0.1:9092";
        String invocations = "gpufaas.invocations";
        String results = "gpufaas.results";
        String deadLetters = "gpufaas.dead-letters";
        for (int i = 1; i < args.length; i++) {
            if (i + 1 >= args.length) {
                usage(args[i] + " needs a value");
            }
            String v = args[++i];
            switch (args[i - 1]) {
                case "--text" -> text = v;
                case "--image" -> image = Path.of(v);
                case "--tensor" -> tensor = Path.of(v);
                case "--shape" -> shape = v;
                case "--timeout" -> timeout = duration(v);
                case "--bootstrap" -> bootstrap = v;
                case "--invocations" -> invocations = v;
                case "--results" -> results = v;
                case "--dead-letters" -> deadLetters = v;
                default -> usage("unknown argument " + args[i - 1]);
            }
        }
        Input input;
        try {
            input = input(text, image, tensor, shape);
        } catch (IllegalArgumentException | java.io.IOException e) {
            usage(e.getMessage());
            return;
        }
        try (GpuFaasClient client = GpuFaasClient.builder().bootstrapServers(bootstrap).topics(invocations, results, deadLetters)
                .timeout(timeout).build()) {
            InvocationResult r = client.invoke(function, input).get();
            System.out.println(new String(EventJson.encodeResult(r), StandardCharsets.UTF_8));
            System.exit(r.status() == ResultStatus.OK ? 0 : 1);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TimeoutException) {
                System.err.println(e.getCause().getMessage());
                System.exit(2);
            }
            if (e.getCause() instanceof RejectedException rejected) {
                System.err.println("refused: " + rejected.getMessage());
                System.exit(1);
            }
            throw e;
        }
    }

    private static Input input(String text, Path image, Path tensor, String shape) throws Exception {
        int given = (text != null ? 1 : 0) + (image != null ? 1 : 0) + (tensor != null ? 1 : 0);
        if (given != 1) {
            usage("give exactly one of --text, --image, --tensor");
        }
        if (text != null) {
            return Input.text(text);
        }
        if (image != null) {
            return Input.image(Files.readAllBytes(image));
        }
        if (shape == null) {
            usage("--tensor needs --shape, e.g. --shape 1,4");
        }
        return tensorInput(Files.readAllBytes(tensor), shape, tensor.toString());
    }

    /**
     * A tensor file's values, as text: refused with a sentence (never a stack trace) when it is
     * binary (raw float32, say) or a word is not a number, or the count does not match the shape.
     */
    static Input tensorInput(byte[] file, String shape, String name) {
        long[] dims;
        try {
            dims = Arrays.stream(shape.split(",")).map(String::trim).mapToLong(Long::parseLong).toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--shape must be whole numbers separated by commas, e.g. 1,4; was '"
                    + shape + "'");
        }
        for (byte b : file) {
            if (b == 0 || (b & 0xff) > 0x7e || b < 0x20 && b != '\n' && b != '\r' && b != '\t') {
                throw new IllegalArgumentException(name + " is not text: a tensor file holds its values as text "
                        + "(e.g. '0.1 0.2 0.3 0.4'); raw float32 bytes are not read");
            }
        }
        String content = new String(file, StandardCharsets.US_ASCII).trim();
        String[] words = content.isEmpty() ? new String[0] : content.split("[\\s,]+");
        float[] values = new float[words.length];
        for (int i = 0; i < words.length; i++) {
            try {
                values[i] = Float.parseFloat(words[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + ": value " + (i + 1) + " ('" + words[i] + "') is not a number");
            }
        }
        long expected = Arrays.stream(dims).reduce(1, (a, b) -> a * b);
        if (expected != values.length) {
            throw new IllegalArgumentException(name + " holds " + values.length + " values but shape " + shape
                    + " needs " + expected);
        }
        return Input.tensor(dims, values);
    }

    /** 5s, 500ms, 2m, or plain milliseconds. */
    static Duration duration(String s) {
        String v = s.trim().toLowerCase();
        if (v.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).trim()));
        }
        if (v.endsWith("s")) {
            return Duration.ofMillis((long) (Double.parseDouble(v.substring(0, v.length() - 1).trim()) * 1000));
        }
        if (v.endsWith("m")) {
            return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1).trim()));
        }
        return Duration.ofMillis(Long.parseLong(v));
    }

    private static void usage(String problem) {
        System.err.println(problem + "\nusage: invoke.sh FUNCTION (--text T | --image FILE | --tensor FILE --shape 1,4) "
                + "[--timeout 5s] [--bootstrap HOST:PORT] [--invocations TOPIC] [--results TOPIC] [--dead-letters TOPIC]");
        System.exit(64);
    }
}
