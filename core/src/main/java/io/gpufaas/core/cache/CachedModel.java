package io.gpufaas.core.cache;

import java.io.Serializable;

/** A resident model's checkpointed metadata: enough to reload it and keep its statistics. */
public record CachedModel(String model, long bytes, long frequency, long lastAccess, double loadCost, double priority)
        implements Serializable {}
