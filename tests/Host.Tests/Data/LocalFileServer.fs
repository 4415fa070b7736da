/// A tiny HTTP file server on 127.0.0.1 for download tests: serves a folder, honours "Range: bytes=N-",
/// and can cut the first response for chosen files short to simulate a dropped connection.
module InitLab.Host.Tests.Data.LocalFileServer

open System
open System.Collections.Concurrent
open System.IO
open System.Net
open System.Net.Sockets
open System.Threading.Tasks

type Server(folder: string, cutFirstResponseAfter: Map<string, int64>) =
    let port =
        let l = new TcpListener(IPAddress.Loopback, 0)
        l.Start()
        let p = (l.LocalEndpoint :?> IPEndPoint).Port
        l.Stop()
        p
    let listener = new HttpListener()
    do listener.Prefixes.Add($"http://127.0.0.1:{port}/")
    do listener.Start()
    let log = ConcurrentQueue<string * string>()
    let cut = ConcurrentDictionary<string, int64>(cutFirstResponseAfter)

    let handle (ctx: HttpListenerContext) =
        let name = ctx.Request.Url.AbsolutePath.TrimStart('/')
        let range = ctx.Request.Headers["Range"]
        log.Enqueue(name, (if isNull range then "" else range))
        let path = Path.Combine(folder, name)
        let res = ctx.Response
        if not (File.Exists path) then
            res.StatusCode <- 404
            res.Close()
        else
            let bytes = File.ReadAllBytes path
            let start =
                if not (isNull range) && range.StartsWith "bytes=" && range.EndsWith "-" then int64 (range[6 .. range.Length - 2]) else 0L
            if start >= int64 bytes.Length then
                res.StatusCode <- 416
                res.Close()
            else
                if start > 0L then
                    res.StatusCode <- 206
                    res.Headers.Add("Content-Range", $"bytes {start}-{bytes.Length - 1}/{bytes.Length}")
                res.ContentLength64 <- int64 bytes.Length - start
                match cut.TryRemove name with
                | true, after ->
                    res.OutputStream.Write(bytes, int start, int (min after (int64 bytes.Length - start)))
                    res.OutputStream.Flush()
                    res.Abort() // drop the connection mid-body
                | _ ->
                    res.OutputStream.Write(bytes, int start, bytes.Length - int start)
                    res.Close()

    let loop =
        Task.Run(fun () ->
            try
                while listener.IsListening do
                    let ctx = listener.GetContext()
                    Task.Run(fun () -> try handle ctx with _ -> ()) |> ignore
            with _ -> ())

    member _.BaseUri = Uri($"http://127.0.0.1:{port}/")
    /// Requests received: (file name, Range header or "").
    member _.Requests = List.ofSeq log

    interface IDisposable with
        member _.Dispose() =
            listener.Stop()
            listener.Close()
            loop.Wait(TimeSpan.FromSeconds 5.0) |> ignore
