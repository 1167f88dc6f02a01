package dev.lockstep.spi;

/** A step type to call and its {@code with} arguments, still holding unresolved expressions. */
public record Action(String uses, Value.Mapping with, Position position) {}
