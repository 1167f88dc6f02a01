package dev.lockstep.store;

/**
 * Who holds a run: {@code who} names the process (pid, host, user, since, command); {@code lease}
 * says how fresh its lease is (null for the local store, whose locks die with their process);
 * {@code live} is false for a lease that expired, which anyone may take over.
 */
public record RunHolder(String who, String lease, boolean live) {
    public String describe() {
        return who + (lease != null ? "; " + lease : "");
    }
}
