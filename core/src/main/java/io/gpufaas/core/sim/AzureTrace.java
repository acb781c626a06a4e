package io.gpufaas.core.sim;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Azure Functions 2019 trace format (Shahrad et al., ATC'20), as sampled in
 * {@code ../shared/data/azure-functions-2019-sample/}: per-minute invocation counts
 * ({@code *_inv.csv}) and execution-time statistics ({@code *_run.csv}), matched by function hash.
 */
public record AzureTrace(List<TraceFunction> functions) {

    /** One function of the trace. */
    public record TraceFunction(String hash, int[] perMinute, double averageDurationMs) {
        public long invocations() {
            long n = 0;
            for (int c : perMinute) {
                n += c;
            }
            return n;
        }
    }

    /** Reads {@code <prefix>_inv.csv} and {@code <prefix>_run.csv} from {@code dir}. */
    public static AzureTrace read(Path dir, String prefix) {
        return read(dir.resolve(prefix + "_inv.csv"));
    }

    /**
     * Reads a per-minute invocation file: the sample's {@code <prefix>_inv.csv} (minute columns
     * {@code minute_1}...) or the published dataset's {@code invocations_per_function_md.anon.dNN.csv}
     * (minute columns {@code 1}...). Execution times come from the matching durations file beside it
     * ({@code <prefix>_run.csv} or {@code function_durations_percentiles.anon.dNN.csv}) when there
     * is one; otherwise every function's average is 100 ms.
     */
    public static AzureTrace read(Path invocationsCsv) {
        Map<String, Double> durations = durations(durationsFileFor(invocationsCsv));
        List<TraceFunction> functions = new ArrayList<>();
        try (BufferedReader inv = Files.newBufferedReader(invocationsCsv)) {
            String header = inv.readLine();
            if (header == null) {
                throw new IllegalArgumentException(invocationsCsv + " is empty");
            }
            int fn = column(header, "HashFunction");
            int first = header.contains("minute_1") ? column(header, "minute_1") : column(header, "1");
            for (String line; (line = inv.readLine()) != null; ) {
                String[] f = line.split(",", -1);
                int[] counts = new int[f.length - first];
                for (int m = 0; m < counts.length; m++) {
                    counts[m] = f[first + m].isEmpty() ? 0 : Integer.parseInt(f[first + m].trim());
                }
                functions.add(new TraceFunction(f[fn], counts, durations.getOrDefault(f[fn], 100.0)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + invocationsCsv, e);
        }
        return new AzureTrace(List.copyOf(functions));
    }

    private static Path durationsFileFor(Path invocationsCsv) {
        String name = invocationsCsv.getFileName().toString();
        String durations = name.endsWith("_inv.csv")
                ? name.substring(0, name.length() - "_inv.csv".length()) + "_run.csv"
                : name.replace("invocations_per_function_md", "function_durations_percentiles");
        return invocationsCsv.resolveSibling(durations);
    }

    private static Map<String, Double> durations(Path runCsv) {
        Map<String, Double> durations = new HashMap<>();
        if (!Files.isRegularFile(runCsv)) {
            return durations;
        }
        try (BufferedReader run = Files.newBufferedReader(runCsv)) {
            String header = run.readLine();
            if (header == null) {
                return durations;
            }
            int fn = column(header, "HashFunction");
            int avg = column(header, "Average");
            for (String line; (line = run.readLine()) != null; ) {
                String[] f = line.split(",", -1);
                durations.put(f[fn], Double.parseDouble(f[avg]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + runCsv, e);
        }
        return durations;
    }

    private static int column(String header, String name) {
        String[] cols = header.split(",");
        for (int i = 0; i < cols.length; i++) {
            if (cols[i].trim().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("column " + name + " missing from trace header");
    }
}
