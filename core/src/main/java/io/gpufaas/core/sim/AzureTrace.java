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
 * The In-Vitro loader's {@code invocations.csv}/{@code durations.csv} (with a Trigger column) and
 * the published dataset's days read the same way.
 */
public record AzureTrace(List<TraceFunction> functions) {

    /** One function of the trace. */
    public record TraceFunction(String hash, int[] perMinute, double averageDurationMs) {
        /** Whether the trace gave this function's execution time ({@code averageDurationMs} is NaN otherwise). */
        public boolean hasDuration() {
            return !Double.isNaN(averageDurationMs);
        }

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
     * is one; a function without one has a NaN average.
     */
    public static AzureTrace read(Path invocationsCsv) {
        Map<String, Double> durations = durations(durationsFileFor(invocationsCsv));
        List<TraceFunction> functions = new ArrayList<>();
        try (BufferedReader inv = Files.newBufferedReader(invocationsCsv)) {
            String header = inv.readLine();
            if (header == null) {
                throw new IllegalArgumentException(invocationsCsv + " is empty");
            }
            int fn = column(invocationsCsv, header, "HashFunction");
            int first = header.contains("minute_1") ? column(invocationsCsv, header, "minute_1")
                    : column(invocationsCsv, header, "1");
            String[] names = header.split(",");
            int lineNo = 1;
            for (String line; (line = inv.readLine()) != null; ) {
                lineNo++;
                String[] f = line.split(",", -1);
                int[] counts = new int[Math.max(0, f.length - first)];
                for (int m = 0; m < counts.length; m++) {
                    try {
                        counts[m] = f[first + m].isEmpty() ? 0 : Integer.parseInt(f[first + m].trim());
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(invocationsCsv + " line " + lineNo + ", column "
                                + (first + m < names.length ? names[first + m] : "#" + (first + m))
                                + ": not a count of invocations: '" + f[first + m] + "'");
                    }
                }
                functions.add(new TraceFunction(f[fn], counts, durations.getOrDefault(f[fn], Double.NaN)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + invocationsCsv, e);
        }
        return new AzureTrace(List.copyOf(functions));
    }

    /**
     * The durations file beside an invocations file: {@code <prefix>_run.csv} for the sample's
     * {@code <prefix>_inv.csv}, {@code durations.csv} for the In-Vitro loader's
     * {@code invocations.csv}, {@code function_durations_percentiles.anon.dNN.csv} for the published
     * dataset's day.
     */
    static Path durationsFileFor(Path invocationsCsv) {
        String name = invocationsCsv.getFileName().toString();
        String durations;
        if (name.endsWith("_inv.csv")) {
            durations = name.substring(0, name.length() - "_inv.csv".length()) + "_run.csv";
        } else if (name.equals("invocations.csv")) {
            durations = "durations.csv";
        } else if (name.contains("invocations_per_function_md")) {
            durations = name.replace("invocations_per_function_md", "function_durations_percentiles");
        } else {
            return invocationsCsv.resolveSibling(name + ".no-durations");
        }
        return invocationsCsv.resolveSibling(durations);
    }

    /** The median of the functions' average execution times, NaN when the trace has none. */
    public double medianDurationMs() {
        double[] known = functions.stream().filter(TraceFunction::hasDuration).mapToDouble(TraceFunction::averageDurationMs)
                .sorted().toArray();
        return known.length == 0 ? Double.NaN : known[known.length / 2];
    }

    /** The length of the trace in minutes: its longest function's. */
    public int minutes() {
        int m = 0;
        for (TraceFunction f : functions) {
            m = Math.max(m, f.perMinute().length);
        }
        return m;
    }

    /**
     * The start of the {@code minutes}-long window in which the most functions are active (ties:
     * the earliest): where a trace whose busy hours differ from the sample's has enough functions
     * for a working set.
     */
    public int busiestWindow(int minutes) {
        int length = minutes();
        int best = 0;
        int bestActive = -1;
        for (int start = 0; start + minutes <= length; start += Math.max(1, minutes / 2)) {
            int active = activeFunctions(start, minutes);
            if (active > bestActive) {
                best = start;
                bestActive = active;
            }
        }
        return best;
    }

    /** Functions with at least one invocation in {@code [start, start + minutes)}. */
    public int activeFunctions(int start, int minutes) {
        int active = 0;
        for (TraceFunction f : functions) {
            for (int m = start; m < Math.min(f.perMinute().length, start + minutes); m++) {
                if (f.perMinute()[m] > 0) {
                    active++;
                    break;
                }
            }
        }
        return active;
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
            int fn = column(runCsv, header, "HashFunction");
            int avg = column(runCsv, header, "Average");
            for (String line; (line = run.readLine()) != null; ) {
                String[] f = line.split(",", -1);
                durations.put(f[fn], Double.parseDouble(f[avg]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + runCsv, e);
        }
        return durations;
    }

    private static int column(Path file, String header, String name) {
        String[] cols = header.split(",");
        for (int i = 0; i < cols.length; i++) {
            if (cols[i].trim().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException(file + ": no column '" + name + "' in its header (a trace needs HashFunction "
                + "and minute columns minute_1... or 1...; durations need HashFunction and Average)");
    }
}
