package io.gpufaas.core.contract;

/**
 * The name a model goes by in the router's view, a worker's cache and reports: a function's name
 * and the version of its model, {@code tiny-mlp@2}. Built-in functions have no model file and no
 * version (0), and go by their name alone. Two versions of one function are two models: a DEPLOY
 * of version 2 makes new invocations ask for {@code tiny-mlp@2}, which no cache holds yet, while
 * {@code tiny-mlp@1} finishes what it runs and is unloaded. '@' cannot occur in a function name
 * ({@link FunctionSpec#NAME}), so the split is unambiguous.
 */
public final class ModelKeys {

    private ModelKeys() {}

    public static String of(String function, int version) {
        return version > 0 ? function + "@" + version : function;
    }

    /** The function a model key belongs to. */
    public static String function(String modelKey) {
        int at = modelKey.indexOf('@');
        return at < 0 ? modelKey : modelKey.substring(0, at);
    }

    /** The model version in a key; 0 for a key without one. */
    public static int version(String modelKey) {
        int at = modelKey.indexOf('@');
        if (at < 0) {
            return 0;
        }
        try {
            return Integer.parseInt(modelKey.substring(at + 1));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
