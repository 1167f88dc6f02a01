package dev.lockstep.runbook;

/** One thing wrong with a runbook: where, and what was expected there. */
public record Problem(Position position, String message) {
    @Override
    public String toString() {
        return position + ": " + message;
    }
}
