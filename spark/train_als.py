"""Train this project's ALS on Spark (Azure Databricks) and save an ALSModel for `recs import spark`.

Owns the Spark side of "train on Spark, serve here": read interactions (Parquet or CSV on ADLS Gen2 /
Blob Storage, and/or the Cosmos DB event container through the Azure Cosmos DB Spark connector),
prepare them with the rules of `recs train` (duplicates: latest wins; minimum counts per item then
per user), optionally split and evaluate with the metric definitions of `recs train` (Microsoft
Recommenders' python_evaluation), train pyspark.ml.recommendation.ALS with this project's parameter
names and defaults, and save:

    <out>/model/                 the ALSModel (ALSModel.write().save: metadata/, userFactors/, itemFactors/)
    <out>/model/recs-ids/users/  Parquet (id: int, key: string): Spark's integer index -> original user id
    <out>/model/recs-ids/items/  the same for items
    <out>/model/recs-spark/      one JSON line (a part-00000… text file): training parameters, counts, split, metrics
    <out>/split/train/, test/    CSV user,item,rating,timestamp (with --split), for `recs import --test-file`

Then, on a machine with the serving registry:

    recs import spark --model blob://<container>/<out>/model --interactions train.csv --test-file test.csv

Every option of ALS used here is documented in pyspark.ml.recommendation.ALS (Spark 3.5):
rank, maxIter, regParam, implicitPrefs, alpha, nonnegative, seed, numUserBlocks, numItemBlocks,
checkpointInterval, intermediateStorageLevel, finalStorageLevel, coldStartStrategy, blockSize,
userCol, itemCol, ratingCol.
"""

import argparse
import json
import math
import sys
import time

# The project's defaults (ts/model/pipeline/options.ts DEFAULT_OPTIONS): implicit ALS tuned on
# MovieLens 100K. Spark's own defaults are rank 10, maxIter 10, regParam 0.1, alpha 1.
DEFAULTS = {
    "rank": 200,
    "maxIter": 30,
    "regParam": 0.3193,
    "implicitPrefs": True,
    "alpha": 0.7219,
    "nonnegative": False,
    "seed": 42,
}

COSMOS_FORMAT = "cosmos.oltp"  # Azure Cosmos DB OLTP Spark connector's data source name


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    src = p.add_argument_group("input")
    src.add_argument("--input", action="append", default=[], help="Parquet or CSV path (abfss://, wasbs://, dbfs:/, file:); repeatable")
    src.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    src.add_argument("--delimiter", default=",", help="CSV field separator (default ,)")
    src.add_argument("--columns", default="user=user,item=item,rating=rating,timestamp=timestamp",
                     help="which input column is which, as recs train --columns (rating and timestamp optional)")
    src.add_argument("--timestamp-unit", choices=["s", "ms"], default="s", help="unit of the input's timestamps (events are converted to seconds)")
    src.add_argument("--cosmos-endpoint", help="Cosmos DB account endpoint of the event container (recs serve's RECS_EVENTS_COSMOS_*)")
    src.add_argument("--cosmos-database", default="recs")
    src.add_argument("--cosmos-container", default="events")
    src.add_argument("--cosmos-key-secret", help="scope/key of a Databricks secret holding the account key; without it: Managed Identity")
    prep = p.add_argument_group("preparation (as recs train)")
    prep.add_argument("--no-dedupe", action="store_true", help="keep duplicate (user, item) rows (default: latest wins)")
    prep.add_argument("--min-user-count", type=int, default=0)
    prep.add_argument("--min-item-count", type=int, default=0)
    split = p.add_argument_group("split and evaluation (as recs train)")
    split.add_argument("--split", choices=["none", "random", "stratified", "chrono"], default="none")
    split.add_argument("--split-ratio", type=float, default=0.75)
    split.add_argument("--split-by", choices=["user", "item"], default="item")
    split.add_argument("--split-seed", type=int, default=42)
    split.add_argument("--k", type=int, default=10)
    split.add_argument("--eval-users", type=int, default=100000, help="test users ranked exactly (a seeded sample beyond this)")
    split.add_argument("--refit", action="store_true", help="after evaluating, fit the saved model on all the data")
    als = p.add_argument_group("ALS (Spark's parameter names, this project's defaults)")
    als.add_argument("--rank", type=int, default=DEFAULTS["rank"])
    als.add_argument("--maxIter", type=int, default=DEFAULTS["maxIter"])
    als.add_argument("--regParam", type=float, default=DEFAULTS["regParam"])
    als.add_argument("--alpha", type=float, default=DEFAULTS["alpha"])
    als.add_argument("--explicit", action="store_true", help="explicit ratings (implicitPrefs false)")
    als.add_argument("--nonnegative", action="store_true")
    als.add_argument("--seed", type=int, default=DEFAULTS["seed"])
    als.add_argument("--blocks", type=int, default=0, help="numUserBlocks = numItemBlocks (default: the cluster's cores)")
    als.add_argument("--checkpoint-dir", help="Spark checkpoint directory (lineage truncation every 10 iterations)")
    p.add_argument("--out", required=True, help="output prefix (abfss://… or dbfs:/…)")
    o = p.parse_args(argv)
    if not o.input and not o.cosmos_endpoint:
        p.error("give --input PATH and/or --cosmos-endpoint URL")
    if not 0 < o.split_ratio < 1:
        p.error(f"--split-ratio must be between 0 and 1, got {o.split_ratio}")
    if o.rank < 1 or o.maxIter < 1 or o.regParam < 0 or o.alpha < 0:
        p.error("--rank and --maxIter must be ≥ 1, --regParam and --alpha ≥ 0")
    return o


def column_spec(spec):
    cols = {}
    for part in spec.split(","):
        name, _, col = part.partition("=")
        if name not in ("user", "item", "rating", "timestamp") or not col:
            raise SystemExit(f"--columns: '{part}' is not ROLE=COLUMN with ROLE user, item, rating or timestamp")
        cols[name] = col
    for role in ("user", "item"):
        if role not in cols:
            raise SystemExit(f"--columns: no {role} column")
    return cols


def read_interactions(spark, o):
    """user (string), item (string), rating (double, 1 when absent), ts (double, null when absent), seq (input order)."""
    from pyspark.sql import functions as F

    cols = column_spec(o.columns)
    frames = []
    for path in o.input:
        reader = spark.read.format(o.format)
        if o.format == "csv":
            reader = reader.option("header", "true").option("sep", o.delimiter).option("inferSchema", "false")
        df = reader.load(path)
        missing = [c for r, c in cols.items() if r in ("user", "item") and c not in df.columns]
        if missing:
            raise SystemExit(f"{path}: no column {', '.join(missing)} (columns: {', '.join(df.columns)}); use --columns")
        frames.append(df.select(
            F.col(cols["user"]).cast("string").alias("user"),
            F.col(cols["item"]).cast("string").alias("item"),
            (F.col(cols["rating"]).cast("double") if "rating" in cols and cols["rating"] in df.columns else F.lit(1.0)).alias("rating"),
            (F.col(cols["timestamp"]).cast("double") if "timestamp" in cols and cols["timestamp"] in df.columns else F.lit(None).cast("double")).alias("ts"),
        ))
    if not frames:
        df = None
    else:
        df = frames[0]
        for f in frames[1:]:
            df = df.unionByName(f)
        if o.timestamp_unit == "ms":
            df = df.withColumn("ts", F.col("ts") / 1000.0)
    if o.cosmos_endpoint:
        pairs, erased = read_cosmos_events(spark, o)
        if df is not None:
            # recs train --events: the base rows of users erased through DELETE /v1/users/{id} go.
            df = df.join(erased.select("user"), "user", "left_anti")
        df = pairs if df is None else df.unionByName(pairs)
    return df.withColumn("seq", F.monotonically_increasing_id())


def read_cosmos_events(spark, o):
    """The event container `recs serve` writes (ts/events/cosmos-docs.ts: kind "event" documents with
    userId, itemId, type, value, timestamp in ms; kind "erased" markers), merged as `recs train
    --events` merges them (ts/model/pipeline/events-source.ts): one row per (user, item) pair, its
    value the latest rating when the item was rated, else the sum of its implicit weights, its
    timestamp the pair's latest event (in seconds, as the base data's)."""
    from pyspark.sql import functions as F

    cfg = {
        "spark.cosmos.accountEndpoint": o.cosmos_endpoint,
        "spark.cosmos.database": o.cosmos_database,
        "spark.cosmos.container": o.cosmos_container,
        "spark.cosmos.read.inferSchema.enabled": "true",
        "spark.cosmos.read.customQuery": "SELECT c.kind, c.userId, c.itemId, c.type, c['value'], c.timestamp FROM c WHERE c.kind = 'event' OR c.kind = 'erased'",
    }
    if o.cosmos_key_secret:
        scope, _, key = o.cosmos_key_secret.partition("/")
        cfg["spark.cosmos.accountKey"] = dbutils_secret(spark, scope, key)
    else:
        cfg["spark.cosmos.auth.type"] = "ManagedIdentity"
    docs = spark.read.format(COSMOS_FORMAT).options(**cfg).load()
    ev = docs.where(F.col("kind") == "event").select(
        F.col("userId").cast("string").alias("user"), F.col("itemId").cast("string").alias("item"),
        F.col("type"), F.col("value").cast("double").alias("value"), F.col("timestamp").cast("double").alias("ms"))
    is_rating = F.col("type") == "rating"
    pairs = ev.groupBy("user", "item").agg(
        F.max_by(F.when(is_rating, F.col("value")), F.when(is_rating, F.col("ms"))).alias("last_rating"),
        F.sum(F.when(~is_rating, F.col("value"))).alias("implicit"),
        F.max("ms").alias("ms"),
    ).select("user", "item", F.coalesce("last_rating", "implicit").alias("rating"), (F.col("ms") / 1000.0).alias("ts"))
    erased = docs.where(F.col("kind") == "erased").select(F.col("userId").cast("string").alias("user")).distinct()
    return pairs, erased


def dbutils_secret(spark, scope, key):
    from pyspark.dbutils import DBUtils  # Databricks Runtime only

    return DBUtils(spark).secrets.get(scope=scope, key=key)


def prepare(df, o):
    """recs train's rules (ts/data/prepare.ts): latest timestamp wins, then the later input row; a row
    with a timestamp beats one without; then one pass dropping items, then users, below the minimums."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    stats = {}
    if not o.no_dedupe:
        w = Window.partitionBy("user", "item").orderBy(F.col("ts").desc_nulls_last(), F.col("seq").desc())
        before = df.count()
        df = df.withColumn("_r", F.row_number().over(w)).where("_r = 1").drop("_r")
        stats["duplicatesRemoved"] = before - df.count()
    if o.min_item_count > 1:
        keep = df.groupBy("item").count().where(F.col("count") >= o.min_item_count).select("item")
        df = df.join(keep, "item")
    if o.min_user_count > 1:
        keep = df.groupBy("user").count().where(F.col("count") >= o.min_user_count).select("user")
        df = df.join(keep, "user")
    return df, stats


def index_ids(spark, df, out):
    """Dense Spark integer ids (ALS needs int) for the string ids, written as the id map recs import reads."""
    from pyspark.sql import functions as F

    maps = {}
    for role in ("user", "item"):
        keys = df.select(F.col(role).alias("key")).distinct()
        # zipWithIndex gives 0..n-1 without a single-partition window.
        indexed = keys.rdd.map(lambda r: r[0]).zipWithIndex().toDF(["key", "id"])
        n = indexed.count()
        if n > 2**31 - 1:
            raise SystemExit(f"{n} distinct {role}s: Spark's ALS takes int ids (at most 2,147,483,647)")
        indexed = indexed.select(F.col("id").cast("int"), "key")
        # Written outside model/ (ALSModel.write().overwrite() replaces that directory), copied in after the save.
        indexed.write.mode("overwrite").parquet(f"{out}/ids/{role}s")
        maps[role] = spark.read.parquet(f"{out}/ids/{role}s")
    df = df.join(maps["item"].withColumnRenamed("id", "item_id").withColumnRenamed("key", "item"), "item")
    df = df.join(maps["user"].withColumnRenamed("id", "user_id").withColumnRenamed("key", "user"), "user")
    return df


def split(df, o):
    """recs train --split: random (whole rows), stratified (per user or item, ratio of each group's
    rows to training, seeded), chrono (each group's earliest rows to training)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    if o.split == "random":
        return df.randomSplit([o.split_ratio, 1 - o.split_ratio], seed=o.split_seed)
    by = f"{o.split_by}_id"
    order = F.rand(o.split_seed) if o.split == "stratified" else F.col("ts").asc_nulls_last()
    w = Window.partitionBy(by).orderBy(order)
    ranked = df.withColumn("_n", F.count("*").over(Window.partitionBy(by))).withColumn("_r", F.row_number().over(w))
    # Recommenders' rounding: round(ratio * n) rows of each group go to training.
    cut = F.round(F.col("_n") * F.lit(o.split_ratio))
    train = ranked.where(F.col("_r") <= cut).drop("_n", "_r")
    test = ranked.where(F.col("_r") > cut).drop("_n", "_r")
    return train, test


def make_als(o, blocks):
    from pyspark.ml.recommendation import ALS

    return ALS(
        rank=o.rank, maxIter=o.maxIter, regParam=o.regParam, implicitPrefs=not o.explicit, alpha=o.alpha,
        nonnegative=o.nonnegative, seed=o.seed, numUserBlocks=blocks, numItemBlocks=blocks,
        userCol="user_id", itemCol="item_id", ratingCol="rating", checkpointInterval=10,
        intermediateStorageLevel="MEMORY_AND_DISK", finalStorageLevel="MEMORY_AND_DISK",
        coldStartStrategy="drop",
    )


def evaluate(spark, model, train, test, o):
    """precision@k, recall@k, ndcg@k, map@k exactly as recs train (ts/eval/ranking.ts, Recommenders'
    definitions): each test user's top k over every item not in their training rows (full ranking),
    relevance = the pair is in the test split; NDCG averages over every test user (unranked ones
    score 0), the others over test users with a training row."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    k = o.k
    ranked_users = test.select("user_id").distinct().join(train.select("user_id").distinct(), "user_id")
    n_ranked = ranked_users.count()
    if n_ranked > o.eval_users:
        ranked_users = ranked_users.sample(False, o.eval_users / n_ranked, seed=o.split_seed)
    uf = model.userFactors.join(ranked_users.withColumnRenamed("user_id", "id"), "id").select(F.col("id").alias("user_id"), F.col("features").alias("u"))
    itf = model.itemFactors.select(F.col("id").alias("item_id"), F.col("features").alias("v"))
    dot = F.aggregate(F.zip_with("u", "v", lambda a, b: a * b), F.lit(0.0).cast("float"), lambda acc, x: acc + x)
    scores = uf.crossJoin(itf).select("user_id", "item_id", dot.alias("score"))
    scores = scores.join(train.select("user_id", "item_id"), ["user_id", "item_id"], "left_anti")
    w = Window.partitionBy("user_id").orderBy(F.col("score").desc(), F.col("item_id").asc())
    top = scores.withColumn("rank", F.row_number().over(w)).where(F.col("rank") <= k)
    truth = test.select("user_id", "item_id").distinct().join(ranked_users, "user_id")
    hits = top.join(truth, ["user_id", "item_id"])
    per_user = truth.groupBy("user_id").agg(F.count("*").alias("n_true")).join(
        hits.withColumn("dcg", 1.0 / F.log2(F.col("rank") + 1)).withColumn("hitno", F.row_number().over(Window.partitionBy("user_id").orderBy("rank")))
        .groupBy("user_id").agg(F.count("*").alias("hits"), F.sum("dcg").alias("dcg"), F.sum(F.col("hitno") / F.col("rank")).alias("ap")),
        "user_id", "left").fillna(0)
    idcg = F.aggregate(F.sequence(F.lit(1), F.least(F.col("n_true"), F.lit(k))), F.lit(0.0), lambda acc, r: acc + 1.0 / F.log2(r + 1))
    m = per_user.agg(
        F.avg(F.col("hits") / k).alias("precision"),
        F.avg(F.col("hits") / F.col("n_true")).alias("recall"),
        F.sum(F.col("dcg") / idcg).alias("ndcg_sum"),
        F.avg(F.col("ap") / F.least(F.col("n_true"), F.lit(k))).alias("map_at_k"),
    ).first()
    all_test_users = test.select("user_id").distinct().count()
    sampled = min(n_ranked, o.eval_users)
    # Unranked test users (no training row) count as 0 in NDCG; scale them to the sample.
    ndcg_users = sampled + (all_test_users - n_ranked) * (sampled / n_ranked if n_ranked else 1)
    return {
        f"precision@{k}": m["precision"], f"recall@{k}": m["recall"], f"ndcg@{k}": m["ndcg_sum"] / ndcg_users,
        f"map@{k}": m["map_at_k"], "rankedUsers": sampled, "testUsers": all_test_users,
    }


def write_split(frame, path):
    """One CSV file (one header) that recs import --interactions / --test-file read as it is."""
    frame.select(frame.user.alias("user"), frame.item.alias("item"), "rating", frame.ts.alias("timestamp")) \
        .coalesce(1).write.mode("overwrite").option("header", "true").csv(path)


def main(argv):
    from pyspark.sql import SparkSession

    o = parse_args(argv)
    spark = SparkSession.builder.appName("realtime-recs ALS").getOrCreate()
    if o.checkpoint_dir:
        spark.sparkContext.setCheckpointDir(o.checkpoint_dir)
    blocks = o.blocks or spark.sparkContext.defaultParallelism
    t0 = time.time()
    raw = read_interactions(spark, o)
    prepared, prep_stats = prepare(raw, o)
    data = index_ids(spark, prepared, o.out).cache()
    counts = {"users": data.select("user_id").distinct().count(), "items": data.select("item_id").distinct().count(), "interactions": data.count()}
    if counts["interactions"] == 0:
        raise SystemExit("no interactions left after preparation; relax --min-user-count or --min-item-count")
    metrics, split_info = {}, None
    model = None
    if o.split != "none":
        train, test = split(data, o)
        train, test = train.cache(), test.cache()
        write_split(train, f"{o.out}/split/train")
        write_split(test, f"{o.out}/split/test")
        model = make_als(o, blocks).fit(train)
        metrics = evaluate(spark, model, train, test, o)
        split_info = {"method": o.split, "ratio": o.split_ratio, "by": o.split_by, "seed": o.split_seed, "train": train.count(), "test": test.count()}
    if model is None or o.refit:
        model = make_als(o, blocks).fit(data)
    model.write().overwrite().save(f"{o.out}/model")
    for role in ("users", "items"):
        spark.read.parquet(f"{o.out}/ids/{role}").write.mode("overwrite").parquet(f"{o.out}/model/recs-ids/{role}")
    sidecar = {
        "format": "realtime-recs/spark-als@1",
        "sparkVersion": spark.version,
        "params": {"rank": o.rank, "maxIter": o.maxIter, "regParam": o.regParam, "implicitPrefs": not o.explicit, "alpha": o.alpha,
                   "nonnegative": o.nonnegative, "seed": o.seed, "numUserBlocks": blocks, "numItemBlocks": blocks, "k": o.k, "refit": bool(o.refit or o.split == "none")},
        "data": {"source": ",".join(o.input + ([f"cosmos {o.cosmos_database}/{o.cosmos_container}"] if o.cosmos_endpoint else [])), **counts, **prep_stats,
                 "minUserCount": o.min_user_count, "minItemCount": o.min_item_count, "split": split_info},
        "metrics": {k: v for k, v in metrics.items() if isinstance(v, float) and math.isfinite(v)},
        "idMap": "recs-ids",
        "seconds": round(time.time() - t0, 1),
    }
    # One line in part-00000-<uuid>-c000.txt (recs import reads the first part file).
    spark.createDataFrame([(json.dumps(sidecar),)], ["value"]).coalesce(1).write.mode("overwrite").text(f"{o.out}/model/recs-spark")
    print(json.dumps(sidecar, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
