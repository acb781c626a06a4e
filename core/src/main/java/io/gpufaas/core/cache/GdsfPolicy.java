package io.gpufaas.core.cache;

/**
 * GreedyDual-Size-Frequency (Cherkasova 1998), with load time as the cost: priority =
 * L + frequency x loadCost / size. It keeps models that are used often, are cheap to hold and
 * expensive to load again; L, the priority of the last victim, ages every entry that is not used,
 * so nothing stays forever on past popularity.
 */
public final class GdsfPolicy implements EvictionPolicy {

    public static final String NAME = "gdsf";

    private double inflation;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public double priorityOnAccess(CacheEntry entry) {
        double megabytes = Math.max(1.0, entry.bytes() / 1_048_576.0);
        return inflation + entry.frequency() * Math.max(entry.loadCost(), 1e-3) / megabytes;
    }

    @Override
    public void onEvict(CacheEntry victim) {
        inflation = Math.max(inflation, victim.priority());
    }

    @Override
    public double state() {
        return inflation;
    }

    @Override
    public void restoreState(double state) {
        inflation = state;
    }
}
