package dev.lockstep.spi;

import java.util.Map;

/** Where a run acts, in one kind of place: resolved, described, guarded and passed on to shell steps. */
public interface ContextTarget {
    /** What the screen's header shows, saying "not verified" until {@link #verify} has succeeded. */
    String describe();

    /**
     * Checks that the credentials (or the kubeconfig) point where the runbook may act, and
     * throws a {@link dev.lockstep.spi.LockstepException} naming both places when they do not,
     * or saying what was tried when there is nothing to check with. Runs before anything is
     * recorded; once it succeeded it is not repeated.
     */
    void verify();

    boolean verified();

    /** Environment variables for shell steps, so that {@code aws} or {@code kubectl} in them act on this same place. */
    Map<String, String> exports();

    /** The values of {@code ${{ context.NAME.X }}}; a name the kind declares may be absent (null) when nothing chose it. */
    Map<String, Object> values();
}
