package io.gpufaas.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The benchmarks' command lines: {@code --name value} pairs and {@code --flag}s. Each benchmark
 * reads what it knows with its default; {@link #done()} then refuses whatever it did not read,
 * naming what it knows, so a typo fails instead of silently keeping a default.
 */
final class BenchArgs {

    private final Map<String, String> values = new HashMap<>();
    private final Set<String> flagsGiven = new HashSet<>();
    private final Set<String> known = new HashSet<>();

    private BenchArgs() {}

    /** Parses {@code args}; the names in {@code flags} take no value. */
    static BenchArgs parse(String[] args, String... flags) {
        BenchArgs parsed = new BenchArgs();
        Set<String> flagNames = Set.of(flags);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "': use --name value");
            }
            String name = arg.substring(2);
            if (flagNames.contains(name)) {
                parsed.flagsGiven.add(name);
            } else if (i + 1 >= args.length) {
                throw new IllegalArgumentException(arg + " needs a value");
            } else {
                parsed.values.put(name, args[++i]);
            }
        }
        parsed.known.addAll(flagNames);
        return parsed;
    }

    private <T> T get(String name, T otherwise, Function<String, T> parse) {
        known.add(name);
        String v = values.get(name);
        if (v == null) {
            return otherwise;
        }
        try {
            return parse.apply(v);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--" + name + " " + v + ": " + e.getMessage(), e);
        }
    }

    String string(String name, String otherwise) {
        return get(name, otherwise, s -> s);
    }

    int integer(String name, int otherwise) {
        return get(name, otherwise, Integer::parseInt);
    }

    long longValue(String name, long otherwise) {
        return get(name, otherwise, Long::parseLong);
    }

    double decimal(String name, double otherwise) {
        return get(name, otherwise, Double::parseDouble);
    }

    /** A comma-separated list, e.g. {@code --loads 0.2,0.8}. */
    List<String> strings(String name, List<String> otherwise) {
        return get(name, otherwise, s -> List.of(s.split(",")));
    }

    List<Double> decimals(String name, List<Double> otherwise) {
        return get(name, otherwise, s -> java.util.Arrays.stream(s.split(",")).map(Double::parseDouble).toList());
    }

    List<Integer> integers(String name, List<Integer> otherwise) {
        return get(name, otherwise, s -> java.util.Arrays.stream(s.split(",")).map(Integer::parseInt).toList());
    }

    /** A path, or {@code otherwise} (which may be null: "not given"). */
    Path path(String name, Path otherwise) {
        return get(name, otherwise, Path::of);
    }

    <E extends Enum<E>> E choice(String name, E otherwise) {
        return get(name, otherwise, s -> Enum.valueOf(otherwise.getDeclaringClass(), s));
    }

    boolean flag(String name) {
        known.add(name);
        return flagsGiven.contains(name);
    }

    /** Fails on any argument no getter asked for. */
    BenchArgs done() {
        List<String> unknown = new ArrayList<>();
        for (String name : values.keySet()) {
            if (!known.contains(name)) {
                unknown.add("--" + name);
            }
        }
        if (!unknown.isEmpty()) {
            List<String> names = known.stream().sorted().map(n -> "--" + n).toList();
            throw new IllegalArgumentException("unknown arguments " + unknown + "; known: " + names);
        }
        return this;
    }
}
