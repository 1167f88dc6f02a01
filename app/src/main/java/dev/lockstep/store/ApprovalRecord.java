package dev.lockstep.store;

import java.time.Instant;

/**
 * An approval or rejection of a step's gate as the store keeps it, apart from the run's journal
 * (which only its driver writes): {@code by} is what the store says, the database role of the
 * approver's session or the OS user owning the file, never what the approver claimed.
 */
public record ApprovalRecord(String id, String step, boolean approves, String by, Instant at, String host, String digest,
                             String reason) {}
