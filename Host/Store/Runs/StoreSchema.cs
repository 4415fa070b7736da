namespace InitLab.Store;

/// <summary>
/// The store's schema as ordered migration steps. Step i (1-based) moves a store from
/// <c>PRAGMA user_version</c> i-1 to i. Never edit a released step: append a new one.
/// </summary>
internal static class StoreSchema
{
    public static readonly IReadOnlyList<string> Migrations =
    [
        // 1: runs, metrics, artifacts.
        """
        CREATE TABLE runs (
            id               INTEGER PRIMARY KEY AUTOINCREMENT,
            study            TEXT    NOT NULL,
            name             TEXT    NOT NULL,
            config           TEXT    NOT NULL CHECK (json_valid(config)),
            seed             INTEGER NOT NULL,
            data_fingerprint TEXT,
            code_version     TEXT,
            status           TEXT    NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'stopped')),
            started          TEXT    NOT NULL,
            ended            TEXT,
            message          TEXT
        );
        CREATE INDEX runs_by_study_name ON runs (study, name);
        -- value is NULL for NaN: SQLite cannot store a REAL NaN.
        CREATE TABLE metrics (
            run   INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            step  INTEGER NOT NULL,
            name  TEXT    NOT NULL,
            value REAL,
            PRIMARY KEY (run, name, step)
        ) WITHOUT ROWID;
        CREATE TABLE artifacts (
            id     INTEGER PRIMARY KEY AUTOINCREMENT,
            run    INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            kind   TEXT    NOT NULL,
            path   TEXT    NOT NULL,
            sha256 TEXT    NOT NULL
        );
        CREATE INDEX artifacts_by_run ON artifacts (run);
        """,
    ];

    /// <summary>The schema version this build writes and understands.</summary>
    public static int LatestVersion => Migrations.Count;
}
