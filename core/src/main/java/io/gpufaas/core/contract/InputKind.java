package io.gpufaas.core.contract;

/** What an invocation's input carries; a function declares which kinds it accepts. */
public enum InputKind {
    /** UTF-8 text, for built-in functions such as {@code echo}. */
    TEXT,
    /** An encoded image (JPEG or PNG). */
    IMAGE,
    /** A dense little-endian float32 tensor with an explicit shape. */
    TENSOR
}
