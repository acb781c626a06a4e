package io.gpufaas.core.router.policy;

/**
 * An invocation waiting in the router's queue, as scheduling sees it.
 *
 * @param bytes the model's footprint on a device
 * @param loadCostMs what loading the model costs, in milliseconds
 * @param execCostMs what running it costs once resident, in milliseconds (an estimate)
 */
public record Request<T>(T item, String model, long bytes, double loadCostMs, double execCostMs, long arrivedMs) {}
