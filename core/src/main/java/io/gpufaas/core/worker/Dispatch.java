package io.gpufaas.core.worker;

import java.util.List;

/** What a worker should do next with its queue. */
public sealed interface Dispatch<T> {

    /** Run these invocations of a resident model, as one batch. */
    record Run<T>(String model, List<T> batch) implements Dispatch<T> {}

    /** The oldest waiting invocation's model must be loaded first. */
    record Load<T>(String model) implements Dispatch<T> {}

    /** Hold a partial batch until {@code atMs} in case more invocations of its model arrive. */
    record WaitUntil<T>(long atMs) implements Dispatch<T> {}

    /** Nothing can run now. */
    record Idle<T>() implements Dispatch<T> {}
}
