package io.gpufaas.udf.djl;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * What a TorchScript archive (a zip) says about its tensors before anything is loaded. Every
 * tensor storage is one entry under {@code <name>/data/} (or {@code constants/} for a module's
 * constant tensors), stored or deflated; its uncompressed size is the bytes the storage takes once
 * loaded. A 1 MB file can hold a gigabyte of deflated zeros: the file's size says nothing, the
 * entries' uncompressed sizes say what loading it will cost.
 */
final class ModelArchive {

    private ModelArchive() {}

    /**
     * The uncompressed bytes of every tensor storage in the archive at {@code file}; -1 when it
     * is not a readable zip (the load then reports what is wrong).
     */
    static long tensorBytes(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            long sum = 0;
            for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements(); ) {
                ZipEntry e = entries.nextElement();
                if (!e.isDirectory() && isStorage(e.getName())) {
                    // A size the central directory does not state is counted as its compressed bytes at least.
                    sum += Math.max(0, e.getSize() >= 0 ? e.getSize() : e.getCompressedSize());
                }
            }
            return sum;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static boolean isStorage(String name) {
        int slash = name.indexOf('/');
        String inside = slash < 0 ? name : name.substring(slash + 1);
        return (inside.startsWith("data/") || inside.startsWith("constants/") || inside.startsWith(".data/"))
                && !inside.endsWith(".pkl");
    }
}
