package io.gpufaas.core.contract;

import java.util.regex.Pattern;

/**
 * Error messages as results and dead letters carry them: one short line, no host paths. Engines
 * throw multi-kilobyte tracebacks naming files on the build host; those belong in the job's log
 * (with the invocation id), not in a record every consumer reads.
 */
public final class ErrorMessages {

    /** Longest message a result or dead letter carries. */
    public static final int MAX_CHARS = 300;

    // Two or more path segments: /home/ci/build/torch/nn/functional.py, C:\\x\\y.
    private static final Pattern PATH = Pattern.compile("(?:[A-Za-z]:)?(?:[/\\\\][\\w.+@-]+){2,}[/\\\\]?");

    private ErrorMessages() {}

    /** The first line of {@code message}, host paths replaced by {@code <path>}, at most {@link #MAX_CHARS}. */
    public static String brief(String message) {
        if (message == null || message.isBlank()) {
            return "";
        }
        String line = message.strip();
        int nl = line.indexOf('\n');
        if (nl >= 0) {
            line = line.substring(0, nl).strip();
        }
        line = PATH.matcher(line).replaceAll("<path>");
        return line.length() <= MAX_CHARS ? line : line.substring(0, MAX_CHARS - 3) + "...";
    }

    /** {@code SimpleName: brief message} of a throwable, e.g. {@code OutOfMemoryError: Java heap space}. */
    public static String brief(Throwable t) {
        String message = brief(t.getMessage());
        String name = t.getClass().getSimpleName();
        return message.isEmpty() ? name : brief(name + ": " + message);
    }
}
