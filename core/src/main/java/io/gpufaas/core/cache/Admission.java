package io.gpufaas.core.cache;

import java.util.List;

/** The cache's answer to "make room for this model". */
public sealed interface Admission {

    /** Already resident and ready: run it. */
    record Hit() implements Admission {}

    /** A load is already under way: wait for it, do not start another. */
    record AlreadyLoading() implements Admission {}

    /**
     * Space is reserved: unload {@code victims} (already out of the accounting), then load.
     * Report the outcome with {@link ModelCache#completeLoad} or {@link ModelCache#loadFailed}.
     */
    record Admitted(List<String> victims) implements Admission {}

    /** Larger than the whole device: it can never be loaded here. */
    record TooLarge(long bytes, long capacity) implements Admission {}

    /** Not now: models in use hold the space it needs. Retry when an invocation completes. */
    record NoRoomNow(long bytes, long evictableBytes, long freeBytes) implements Admission {}
}
