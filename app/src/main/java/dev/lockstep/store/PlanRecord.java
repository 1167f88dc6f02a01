package dev.lockstep.store;

import java.util.Map;

/**
 * What the state store keeps of a saved plan, so that the operator who runs it can check it: the digest
 * of the file's exact bytes, the runbook it is of, when it was saved, the secrets' digests (keyed with
 * {@code key}, which the file does not hold), and the run that used it, once one did.
 */
public record PlanRecord(String id, String fileSha256, String runbook, String savedAt, String key,
                         Map<String, String> secretDigests, String usedBy) {}
