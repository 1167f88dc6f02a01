package dev.lockstep.steps.db;

import java.util.Map;

/** A step configuration that reads a source database and a target database. */
interface TwoDatabases {
    Map<String, String> source();

    Map<String, String> target();

    default DbEndpoint from() {
        return DbEndpoint.from(source(), "source");
    }

    default DbEndpoint to() {
        return DbEndpoint.from(target(), "target");
    }
}
