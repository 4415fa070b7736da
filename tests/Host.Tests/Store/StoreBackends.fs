/// The two run-store backends as test fixtures, so one suite runs against both.
module InitLab.Host.Tests.Store.StoreBackends

open System
open Expecto
open Microsoft.Data.Sqlite
open InitLab.Host.Tests.Store.StoreTestSupport

/// A fresh, empty store location with a scratch directory; raw SQL goes around the store.
type StoreFixture(location: string, dir: TempDir, exec: string -> unit, cleanUp: unit -> unit) =
    member _.Location = location
    member _.Dir = dir
    /// Runs SQL on the store's database directly (to fake a foreign host, an old schema, ...).
    member _.Exec(sql: string) = exec sql
    interface IDisposable with
        member _.Dispose() =
            cleanUp ()
            (dir :> IDisposable).Dispose()

type Backend =
    { Name: string
      /// A fresh store, or the reason this backend cannot run here.
      Fresh: unit -> Result<StoreFixture, string> }

/// Runs SQL on a SQLite file with a raw connection (independent of RunStore).
let sqliteScalar (path: string) (sql: string) =
    use c = new SqliteConnection($"Data Source={path};Pooling=False")
    c.Open()
    use cmd = c.CreateCommand()
    cmd.CommandText <- sql
    cmd.ExecuteScalar()

let sqlite =
    { Name = "sqlite"
      Fresh =
        fun () ->
            let dir = new TempDir()
            let path = dir.File "s.db"
            Ok(new StoreFixture(path, dir, (sqliteScalar path >> ignore), ignore)) }

let postgres =
    { Name = "postgresql"
      Fresh =
        fun () ->
            match PostgresCluster.get () with
            | Error reason -> Error reason
            | Ok cluster ->
                let schema = "t_" + Guid.NewGuid().ToString("N")
                cluster.Execute $"CREATE SCHEMA {schema};"
                let exec sql = cluster.Execute $"SET search_path TO {schema}; {sql}"
                let drop () = try cluster.Execute $"DROP SCHEMA {schema} CASCADE;" with _ -> ()
                Ok(new StoreFixture(cluster.ConnectionString(extra = $"Search Path={schema};Pooling=false"), new TempDir(), exec, drop)) }

let backends = [ sqlite; postgres ]

/// A test case on a fresh store of <paramref name="backend"/>; skipped with the reason when the backend cannot run.
let storeTest (backend: Backend) (name: string) (body: StoreFixture -> unit) =
    testCase name <| fun () ->
        match backend.Fresh() with
        | Error reason -> skiptest $"{backend.Name} store unavailable: {reason}"
        | Ok fx ->
            use fx = fx
            body fx

/// The same list of store tests once per backend, under "<name>.<backend>".
let perBackend (name: string) (tests: Backend -> Test list) =
    testList name [ for b in backends -> testList b.Name (tests b) ]
