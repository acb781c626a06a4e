package io.gpufaas.core.router;

/** One model resident on one worker, as the router's checkpoint keeps it. */
public record Residency(int worker, String model, long bytes) {}
