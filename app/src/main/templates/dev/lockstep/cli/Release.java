package dev.lockstep.cli;

/** This build's version, written in by the build: read from a resource, it cost opening the jar at every start. */
final class Release {
    static final String VERSION = "${project.version}";

    private Release() {}
}
