package dev.lockstep.spi;

/** What resume does with an in-doubt step. */
public enum Reconciliation {
    /** Running it again is safe (idempotent, or read-only by its type), or re-attaches to the work already started. */
    RERUN,
    /** Only the operator knows whether its effect happened. */
    ASK_OPERATOR
}
