package dev.lockstep.runbook;

import dev.lockstep.spi.Position;
import java.time.Duration;

/**
 * A runbook's {@code downtime: {from: STEP, to: STEP, window: DURATION}}: the service is down from the moment
 * step {@code from} starts until step {@code to} has succeeded, and the change window allows {@code window}
 * (null when the runbook gives none).
 */
public record Downtime(String from, String to, Duration window, Position position) {}
