package io.gpufaas.core.router.policy;

import java.util.OptionalInt;

/**
 * Where the router sends one waiting invocation, given every worker's state: a worker with a
 * free slot, or none (the invocation keeps waiting in the router's queue). One small interface,
 * one policy per class, chosen by name ({@link PolicyName}).
 */
public interface RoutingPolicy {

    String name();

    /**
     * A worker with a free slot for {@code request}, or empty to keep it queued.
     *
     * @param nowMs the router's clock, for expected waits
     */
    OptionalInt choose(Request<?> request, Cluster cluster, double nowMs);

    /**
     * Whether invocations behind one that must wait may be dispatched first (out-of-order
     * dispatch). The scheduler bounds how often one invocation may be overtaken.
     */
    default boolean outOfOrder() {
        return false;
    }
}
