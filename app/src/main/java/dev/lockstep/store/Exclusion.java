package dev.lockstep.store;

import java.util.Optional;

/** Held while a run of one runbook is started or reopened, so that two processes cannot both do it. */
public interface Exclusion extends AutoCloseable {
    Exclusion NONE = new Exclusion() {
        @Override
        public Exclusion whileDriving() {
            return this;
        }

        @Override
        public void close() {}
    };

    /** Said to the operator: a lock left by a process that died was taken over. */
    default Optional<String> note() {
        return Optional.empty();
    }

    /**
     * What the run keeps while it is driven: the local runbook lock stays held; the shared store's
     * is released here, since the run's lease excludes other drivers from then on.
     */
    Exclusion whileDriving();

    @Override
    void close();
}
