package dev.lockstep.spi;

import java.util.List;

/**
 * What {@link StepType#preview} throws when the step, run now, would halt before it changes
 * anything (a change set that breaks its guard): the lines to show, and why. The plan shows
 * both and ends with a non-zero exit, as the run would.
 */
public final class WouldHalt extends Exception {
    private final List<String> lines;

    public WouldHalt(String reason, List<String> lines) {
        super(reason);
        this.lines = List.copyOf(lines);
    }

    public List<String> lines() {
        return lines;
    }
}
