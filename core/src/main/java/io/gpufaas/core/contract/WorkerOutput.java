package io.gpufaas.core.contract;

import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.contract.WorkerReport;

/** One completed invocation: its result for the caller, its report for the router. */
public record WorkerOutput(InvocationResult result, WorkerReport report) {}
