package io.gpufaas.core.contract;

import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.contract.WorkerReport;

/**
 * One completed invocation: its result for the caller and, if it ends a batch or ended alone, the
 * report for the router (null for the others of a batch: the batch's last reports them all).
 */
public record WorkerOutput(InvocationResult result, WorkerReport report) {}
