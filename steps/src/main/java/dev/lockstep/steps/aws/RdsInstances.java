package dev.lockstep.steps.aws;

import dev.lockstep.spi.ResultShape;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.services.rds.RdsClient;
import software.amazon.awssdk.services.rds.model.DBInstance;

/** What the RDS steps report of an instance. */
final class RdsInstances {
    /** What rds.endpoint and rds.wait-available return: {@link #data}. */
    static final ResultShape SHAPE = ResultShape.object("status", ResultShape.VALUE, "address", ResultShape.VALUE,
            "port", ResultShape.VALUE, "engine", ResultShape.VALUE);

    private RdsInstances() {}

    static DBInstance describe(RdsClient rds, String id) {
        return rds.describeDBInstances(b -> b.dbInstanceIdentifier(id)).dbInstances().get(0);
    }

    static Map<String, Object> data(DBInstance i) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", i.dbInstanceStatus());
        data.put("address", i.endpoint() == null ? null : i.endpoint().address());
        data.put("port", i.endpoint() == null ? null : i.endpoint().port());
        data.put("engine", i.engine());
        return data;
    }
}
