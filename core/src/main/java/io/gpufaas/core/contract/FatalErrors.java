package io.gpufaas.core.contract;

/**
 * Which throwables handling one record may turn into that record's error, and which must still
 * end the process. Running out of heap or stack while handling one record is that record's
 * failure: what it held is freed as the stack unwinds. A broken JVM ({@link InternalError},
 * {@link UnknownError}) is nobody's record and is rethrown.
 */
public final class FatalErrors {

    private FatalErrors() {}

    public static boolean isFatal(Throwable t) {
        return t instanceof VirtualMachineError && !(t instanceof OutOfMemoryError) && !(t instanceof StackOverflowError);
    }

    /** Rethrows {@code t} if it is {@linkplain #isFatal fatal}; returns otherwise. */
    public static void rethrowIfFatal(Throwable t) {
        if (isFatal(t)) {
            throw (VirtualMachineError) t;
        }
    }
}
