package io.gpufaas.core.sim;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Real models' sizes and compute costs, from {@code ../shared/data/models/torchvision-classification-weights.csv}. */
public record ModelCatalogue(List<Model> models) {

    /** @param bytes weight file size; @param gflops compute per inference at batch 1 */
    public record Model(String name, long bytes, double gflops) {}

    public static ModelCatalogue read(Path csv) {
        List<Model> models = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(csv)) {
            String[] header = in.readLine().split(",");
            int weights = index(header, "weights");
            int gflops = index(header, "gflops");
            int size = index(header, "file_size_mb");
            for (String line; (line = in.readLine()) != null; ) {
                String[] f = line.split(",", -1);
                if (f[gflops].isEmpty() || f[size].isEmpty()) {
                    continue;
                }
                models.add(new Model(f[weights], (long) (Double.parseDouble(f[size]) * 1_048_576),
                        Double.parseDouble(f[gflops])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + csv, e);
        }
        return new ModelCatalogue(List.copyOf(models));
    }

    private static int index(String[] header, String name) {
        for (int i = 0; i < header.length; i++) {
            if (header[i].trim().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("column " + name + " missing from catalogue header");
    }
}
