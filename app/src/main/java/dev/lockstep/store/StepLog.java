package dev.lockstep.store;

import java.io.IOException;

/** One of a run's logs, open for appending: lines are already timestamped and masked. */
public interface StepLog {
    void write(String line) throws IOException;

    void close() throws IOException;
}
