package io.gpufaas.core.worker;

/** A model's state on a worker's device, as the dispatcher sees it. */
public enum ModelState {
    /** Resident: invocations of it can run now. */
    READY,
    /** Its load is under way. */
    LOADING,
    /** Not resident and not loading: it needs a load. */
    ABSENT,
    /** Not resident, and no room can be made for it until something completes. */
    BLOCKED,
    /** Not resident; it loads once the load under way ends (a worker loads one model at a time). */
    AWAITING_LOADER
}
