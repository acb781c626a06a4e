package io.gpufaas.core.contract;

/** The decoder's answer for one record: an invocation, or a dead letter saying why not. */
public sealed interface DecodeOutcome {

    record Accepted(Invocation invocation) implements DecodeOutcome {}

    record Rejected(DeadLetter deadLetter) implements DecodeOutcome {}
}
