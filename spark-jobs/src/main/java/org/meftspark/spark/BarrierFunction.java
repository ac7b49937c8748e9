package org.meftspark.spark;

import java.io.Serializable;
import org.apache.spark.api.java.function.FlatMapFunction;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * Adapts a Java {@link FlatMapFunction} to the Scala function that
 * {@code RDDBarrier.mapPartitions} takes (JavaRDD has no barrier()).
 */
final class BarrierFunction<T, R> extends AbstractFunction1<Iterator<T>, Iterator<R>> implements Serializable {
    private static final long serialVersionUID = 1L;
    private final FlatMapFunction<java.util.Iterator<T>, R> body;

    BarrierFunction(FlatMapFunction<java.util.Iterator<T>, R> body) {
        this.body = body;
    }

    @Override
    public Iterator<R> apply(Iterator<T> partition) {
        try {
            return CollectionConverters.asScala(body.call(CollectionConverters.asJava(partition)));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
