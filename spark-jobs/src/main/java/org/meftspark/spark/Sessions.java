package org.meftspark.spark;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** Builds SparkSessions with the settings every meft-spark job relies on. */
public final class Sessions {

    private Sessions() {
    }

    /**
     * Defaults applied under whatever the user or spark-submit set (never over them).
     * Barrier stages re-check free slots every second instead of every 15 s
     * (platform-notes.md) and give up after a minute instead of ten.
     */
    static final Map<String, String> DEFAULTS = Map.of(
            "spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "1s",
            "spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures", "60",
            "spark.sql.session.timeZone", "UTC");

    /** Adds the defaults to {@code conf} where it has no value. */
    public static SparkConf withDefaults(SparkConf conf) {
        DEFAULTS.forEach(conf::setIfMissing);
        return conf;
    }

    /**
     * A session for a job: spark-submit's master and settings win; {@code fallbackMaster}
     * applies only when nothing set one (for example in a test or the doctor).
     */
    public static SparkSession create(String appName, String fallbackMaster, Map<String, String> extra) {
        SparkConf conf = new SparkConf();
        conf.setIfMissing("spark.master", fallbackMaster);
        conf.setIfMissing("spark.app.name", appName);
        if (conf.get("spark.master").startsWith("local")) {
            // One machine: bind and advertise loopback only, no web UI port to collide on.
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
            conf.setIfMissing("spark.ui.enabled", "false");
        }
        extra.forEach(conf::setIfMissing);
        return SparkSession.builder().config(withDefaults(conf)).getOrCreate();
    }
}
