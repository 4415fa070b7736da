/// A private PostgreSQL 15 cluster for the store tests (and scripts/bench_store.fsx, which #loads this file):
/// initdb into a temp dir as an unprivileged user, postgres on a free loopback port, stopped at process exit.
/// Installs postgresql-15 with apt-get when it is absent and this is root; otherwise says why it cannot run.
module InitLab.Host.Tests.Store.PostgresCluster

open System
open System.Diagnostics
open System.IO
open System.Net
open System.Net.Sockets

let binDir = "/usr/lib/postgresql/15/bin"
/// The system user the cluster runs as when the tests run as root (postgres refuses to run as root).
let serviceUser = "initlab-pg"

let private isRoot () = OperatingSystem.IsLinux() && Environment.UserName = "root"

/// Runs a program, returns exit code and combined output; kills it after the timeout.
let private exec (timeoutMs: int) (file: string) (args: string list) =
    let psi = ProcessStartInfo(file, args, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true)
    psi.Environment["DEBIAN_FRONTEND"] <- "noninteractive"
    use p = Process.Start psi
    let out = p.StandardOutput.ReadToEndAsync()
    let err = p.StandardError.ReadToEndAsync()
    if not (p.WaitForExit timeoutMs) then
        p.Kill true
        p.WaitForExit()
        -1, sprintf "%s timed out after %d ms" file timeoutMs
    else
        p.WaitForExit()
        p.ExitCode, out.Result + err.Result

/// Runs a PostgreSQL binary as the service user (root) or as ourselves.
let private pg (timeoutMs: int) (tool: string) (args: string list) =
    let exe = Path.Combine(binDir, tool)
    if isRoot () then exec timeoutMs "runuser" ([ "-u"; serviceUser; "--"; exe ] @ args) else exec timeoutMs exe args

let private freePort () =
    let l = new TcpListener(IPAddress.Loopback, 0)
    l.Start()
    let port = (l.LocalEndpoint :?> IPEndPoint).Port
    l.Stop()
    port

/// A running cluster: database "initlab", superuser "postgres", trust authentication on 127.0.0.1.
type Cluster(dir: string, port: int) =
    let mutable stopped = false
    member _.Port = port
    member _.Directory = dir
    /// Keyword connection string of database <paramref name="db"/> (options appended verbatim).
    member _.ConnectionString(?db: string, ?extra: string) =
        sprintf "Host=127.0.0.1;Port=%d;Username=postgres;Database=%s;Timeout=15%s" port (defaultArg db "initlab")
            (match extra with Some e -> ";" + e | None -> "")
    /// Runs SQL in database "initlab" as the superuser.
    member this.Execute(sql: string) =
        use c = new Npgsql.NpgsqlConnection(this.ConnectionString(extra = "Pooling=false"))
        c.Open()
        use cmd = c.CreateCommand()
        cmd.CommandText <- sql
        cmd.ExecuteNonQuery() |> ignore
    member _.Stop() =
        if not stopped then
            stopped <- true
            pg 60_000 "pg_ctl" [ "-D"; Path.Combine(dir, "data"); "-m"; "fast"; "-w"; "stop" ] |> ignore
            try Directory.Delete(dir, true) with _ -> ()

let private ensureInstalled () =
    if File.Exists(Path.Combine(binDir, "initdb")) then Ok()
    elif not (isRoot ()) then
        Error(sprintf "PostgreSQL 15 is not installed (%s/initdb missing) and the tests do not run as root, so they cannot install it" binDir)
    else
        let code, out = exec 600_000 "sh" [ "-c"; "apt-get update -qq && apt-get install -y -qq postgresql-15" ]
        if code = 0 && File.Exists(Path.Combine(binDir, "initdb")) then Ok()
        else Error(sprintf "PostgreSQL 15 is absent and 'apt-get install postgresql-15' failed (exit %d): %s" code (out.Trim().Split('\n') |> Array.last))

let private ensureUser () =
    if not (isRoot ()) then Ok()
    elif fst (exec 10_000 "id" [ "-u"; serviceUser ]) = 0 then Ok()
    else
        let code, out = exec 30_000 "useradd" [ "--system"; "--no-create-home"; "--shell"; "/usr/sbin/nologin"; serviceUser ]
        if code = 0 then Ok() else Error(sprintf "cannot create the system user '%s' for PostgreSQL: %s" serviceUser (out.Trim()))

let private start () : Result<Cluster, string> =
    match ensureInstalled () |> Result.bind ensureUser with
    | Error e -> Error e
    | Ok() ->
        let dir = Path.Combine(Path.GetTempPath(), "initlab-pg-" + Guid.NewGuid().ToString("N"))
        Directory.CreateDirectory dir |> ignore
        if isRoot () then exec 10_000 "chown" [ serviceUser; dir ] |> ignore
        let data = Path.Combine(dir, "data")
        let code, out = pg 120_000 "initdb" [ "-D"; data; "-U"; "postgres"; "--auth=trust"; "-E"; "UTF8"; "--no-sync" ]
        if code <> 0 then
            Error(sprintf "initdb failed (exit %d): %s" code (out.Trim()))
        else
            // a port may be taken between probing and binding: try a few
            let rec attempt n =
                let port = freePort ()
                let opts = sprintf "-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=100" port dir
                let code, out = pg 120_000 "pg_ctl" [ "-D"; data; "-l"; Path.Combine(dir, "server.log"); "-o"; opts; "-w"; "-t"; "90"; "start" ]
                if code = 0 then Ok(Cluster(dir, port))
                elif n > 1 then attempt (n - 1)
                else Error(sprintf "pg_ctl start failed (exit %d): %s" code (out.Trim()))
            match attempt 3 with
            | Ok c ->
                try
                    use admin = new Npgsql.NpgsqlConnection(c.ConnectionString("postgres", "Pooling=false"))
                    admin.Open()
                    use cmd = admin.CreateCommand()
                    cmd.CommandText <- "CREATE DATABASE initlab;"
                    cmd.ExecuteNonQuery() |> ignore
                    Ok c
                with e ->
                    c.Stop()
                    Error(sprintf "the cluster started but CREATE DATABASE failed: %s" e.Message)
            | Error e -> Error e

let private cluster =
    lazy
        (let r = try start () with e -> Error(sprintf "starting PostgreSQL failed: %s" e.Message)
         match r with
         | Ok c -> AppDomain.CurrentDomain.ProcessExit.Add(fun _ -> c.Stop())
         | Error e -> eprintfn "PostgreSQL store tests skipped: %s" e
         r)

/// The shared cluster of this process, started on first use; Error gives the reason it cannot run.
let get () = cluster.Force()

/// Stops the cluster if it was started (also done at process exit).
let stop () =
    if cluster.IsValueCreated then
        match cluster.Value with
        | Ok c -> c.Stop()
        | Error _ -> ()
