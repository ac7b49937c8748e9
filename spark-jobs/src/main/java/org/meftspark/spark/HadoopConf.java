package org.meftspark.spark;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import org.apache.hadoop.conf.Configuration;

/**
 * A Hadoop {@link Configuration} that travels to executors inside a task closure (Hadoop's own
 * class is not {@code Serializable}): written with its own {@code write}/{@code readFields}, so
 * credentials and file system settings of the driver (s3a keys, HDFS addresses) reach the tasks.
 */
public final class HadoopConf implements Serializable {
    private static final long serialVersionUID = 1L;
    private transient Configuration conf;

    /** Wraps (does not copy) {@code conf}; it must not be changed afterwards. */
    public HadoopConf(Configuration conf) {
        this.conf = conf;
    }

    /** The configuration. */
    public Configuration get() {
        return conf;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        out.defaultWriteObject();
        conf.write(out);
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        // false: only what the driver sent, not the executor's *-site.xml defaults on top.
        conf = new Configuration(false);
        conf.readFields(in);
    }
}
