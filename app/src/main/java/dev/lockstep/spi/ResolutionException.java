package dev.lockstep.spi;

/** An expression that cannot be parsed or resolved; the message says what was expected. */
public class ResolutionException extends RuntimeException {
    public ResolutionException(String message) {
        super(message);
    }
}
