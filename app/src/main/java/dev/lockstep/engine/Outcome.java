package dev.lockstep.engine;

import dev.lockstep.spi.ErrorCode;

/** How a drive of the engine ended: success (code null) or the code and one line saying why. */
public record Outcome(ErrorCode code, String message) {
    public static Outcome success(String message) {
        return new Outcome(null, message);
    }

    public boolean ok() {
        return code == null;
    }
}
