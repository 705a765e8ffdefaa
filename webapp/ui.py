"""The page (Gradio): input and settings, Run and Cancel, the job's progress, and its results.

Each browser tab keeps the id of its own job (a gr.State), so two tabs get their own results; the jobs
themselves run in turn in the JobQueue.
"""
import re
import threading
import time

import gradio as gr

from utils.errors import UserError, counted, printable
from webapp.inputs import SAMPLE_FRAMES, SAMPLES, VIDEO_TYPES, SetUpStopped, engine_choices, job_spec, list_models
from webapp.jobs import clock, minutes_said

POLL_SECONDS = 0.5  # how often a running job's progress is shown
# what a Run's event yields last where a later Run of its tab has come: its event's end sends the outputs yielded last,
# and a Run refused while the tab's job ran showed "Cannot run", then, as the replaced job's event ended, its progress
UNCHANGED = (gr.skip(),) * 6
CACHE_SWEEP_SECONDS = 60  # how often Gradio deletes its expired copies of uploads and results


def introduction(max_upload_mb, max_unpacked_mb, keep_minutes):
    return f"""# TecoGAN: video super-resolution (x4 or x2, by the model)
Upload a video ({VIDEO_TYPES}) or a zip of its frames (png, jpg, bmp), or choose a sample clip, and press
**Run**. Uploads up to **{max_upload_mb} MB**; a zip may unpack to {max_unpacked_mb} MB. Jobs run one at a
time, in the order they were submitted. You get the video (at the model's scale, x4 or x2, or the Output size;
with the source's audio), its middle frame as bicubic | ours, the video and its frames to download, and for
the samples with ground truth (their frames, made LR by the training degradation) the evaluate.py table.
**A job's files (its upload and results) are deleted at the latest {keep_minutes} after it ends, and
when the server stops; Cancel stops a job at once and deletes its results.**"""


def plain_text(text):
    """text as it is, for a gr.Markdown: every ASCII punctuation mark escaped, so that a name in a message (an upload's,
    a zip member's: 'a*b*.png', '[x](http://...).png', '<b>.png') is shown as written, not as emphasis, a link or
    HTML. Characters a page shows as nothing (a zero-width space, a byte-order mark, a NUL: an Output size of 2 and a
    zero-width space was refused as "got '2'", a factor the field takes) or that break the line, by their codes, as
    the terminal's error lines show them (utils.errors.printable)."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", printable(text))


def describe(queue, job):
    """The status line of a job, in words."""
    if job.state == "waiting":
        return f"Job {job.id}: waiting, {counted(queue.ahead(job), 'job')} ahead of it."  # was "1 job(s)"
    if job.state == "running":
        return f"Job {job.id}: {job.progress()}"
    if job.state == "done":
        # the job's folder goes keep_seconds after its end; Gradio's copies of its files within a sweep after
        deleted_at = time.time() + queue.keep_seconds + CACHE_SWEEP_SECONDS - (time.monotonic() - job.ended)
        return (
            f"Job {job.id}: done, {counted(job.total_frames, 'frame')} in {clock(job.ended - job.started)}. Its files "
            "are "
            f"deleted by {time.strftime('%H:%M', time.localtime(deleted_at))} (server time).")
    if job.state == "failed":
        return f"Job {job.id} failed: {plain_text(job.message)}"
    if job.state == "cancelled":
        if not job.finished.is_set():  # its processes are being killed, its folder is not gone yet
            return f"Job {job.id}: cancelling..."
        return f"Job {job.id}: cancelled; it was stopped and its files deleted."
    return f"Job {job.id}: its files have been deleted."


def build(queue, weights_folder, max_upload_mb, max_unpacked_mb):
    """The gr.Blocks of the app, over a JobQueue."""
    def model_choice(render=True):
        """The model list as it is now (the page reloads it): the bundled ones first, the default."""
        names = list(list_models(weights_folder))
        return gr.Dropdown(names, value=names[0], label="Model", info=f"the bundled ones and any .h5 in "
                           f"{printable(weights_folder)}", elem_id="model", render=render)

    keep_minutes = minutes_said(queue.keep_seconds)
    backends, precisions = engine_choices()
    # Gradio's copies of uploads and results go the way of the jobs' files
    with gr.Blocks(title="TecoGAN", analytics_enabled=False,
                   delete_cache=(CACHE_SWEEP_SECONDS, int(queue.keep_seconds))) as page:
        gr.Markdown(introduction(max_upload_mb, max_unpacked_mb, keep_minutes))
        with gr.Row():
            with gr.Column():
                upload = gr.File(label=f"Video ({VIDEO_TYPES}) or zip of frames", type="filepath",
                                 elem_id="upload")
                sample = gr.Dropdown(choices=list(SAMPLES), value=None, label="or a sample clip",
                                     info=f"Without Start and End, a clip with ground truth runs its first "
                                          f"{SAMPLE_FRAMES} frames", elem_id="sample")
            with gr.Column():
                model = model_choice()
                with gr.Row():
                    start = gr.Textbox(label="Start",
                                       placeholder="frame (0 is the first) or time: 4.5s, 1:02.5",
                                       elem_id="start")
                    end = gr.Textbox(label="End",
                                     placeholder="not included; empty: to the end",
                                     elem_id="end")
                output_size = gr.Textbox(label="Output size",
                                         placeholder="empty: the model's; factor (2, 1.5) or WxH (1920x1080)",
                                         elem_id="output-size")
                with gr.Row():
                    backend = gr.Dropdown(backends, value=backends[0], label="Backend", elem_id="backend")
                    precision = gr.Dropdown(precisions,
                                            value=precisions[0],
                                            label="Precision",
                                            elem_id="precision")
        with gr.Row():
            run = gr.Button("Run", variant="primary", elem_id="run")
            cancel = gr.Button("Cancel", variant="stop", elem_id="cancel")
        status = gr.Markdown(elem_id="status", latex_delimiters=[])  # a name's '$$x$$' is no formula
        with gr.Row():
            video = gr.Video(label="result (x4/x2 by the model, or Output size), with the source's audio",
                             interactive=False,
                             elem_id="result-video")
            comparison = gr.ImageSlider(
                label="middle frame: bicubic by the model's scale | ours (drag the bar; scroll to zoom)",
                type="filepath",
                format="png",
                interactive=False,
                elem_id="comparison")
        downloads = gr.File(label="Downloads: the video and a zip of its frames", file_count="multiple",
                            interactive=False, elem_id="downloads")
        table = gr.Markdown(elem_id="metrics")
        job_id = gr.State(None)
        # the job each tab has running or waiting, by Gradio's session: a double click can submit twice before
        # the tab's State holds the first job, which then ran unseen and uncancellable ahead of the second
        tab_jobs, tab_jobs_lock = {}, threading.Lock()
        # each tab's Runs still setting their job up (copying, unpacking the upload: seconds), and those of them a
        # Cancel came for meanwhile: the tab did not know the job yet, and its Cancel was ignored
        tab_starts, cancelled_starts = {}, set()
        # each tab's last Run: a Run pressed while the tab's job runs or waits replaces it (the page takes such a
        # click: trigger_mode "multiple"; Gradio's default dropped it without a word); the earlier Run's event then
        # shows nothing more, its job stopped, whether the new Run queues a job or is refused
        tab_runs = {}

        def start_job(upload, sample, model, start, end, output_size, backend, precision, previous,
                      request: gr.Request):
            started = object()
            with tab_jobs_lock:  # first: the earlier Run's event, its job stopped below, then shows nothing
                tab_starts.setdefault(request.session_hash, set()).add(started)
                tab_runs[request.session_hash] = started
            if previous:
                queue.discard(previous)
            # the settings that are generate.py flags, passed on as they are (Output size: inputs.size_flags)
            flags = {"--backend": backend, "--precision": precision}
            try:
                yield from run_job(upload, sample, model, start, end, output_size, flags, started, request)
            finally:
                with tab_jobs_lock:
                    if tab_runs.get(request.session_hash) is started:
                        del tab_runs[request.session_hash]

        def superseded(started, request):
            """Whether a later Run of the tab has come (call with tab_jobs_lock held)."""
            return tab_runs.get(request.session_hash) is not started

        def stopped(started, request):
            """Whether the tab has stopped this Run while it sets its job up: a Cancel, or a later Run."""
            with tab_jobs_lock:
                return started in cancelled_starts or superseded(started, request)

        def run_job(upload, sample, model, start, end, output_size, flags, started, request):
            try:
                job = queue.submit(lambda folder: job_spec(folder, upload, sample, model, start, end, flags,
                                                           weights_folder, max_unpacked_mb * 2 ** 20,
                                                           output_size, lambda: stopped(started, request)))
            except SetUpStopped:  # by a Cancel (shown), or a later Run (that Run's job, or its refusal, is shown)
                with tab_jobs_lock:
                    later = superseded(started, request)
                yield UNCHANGED if later else ("Cancelled before its job was queued; nothing was kept.", None, None,
                                               None, None, "")
                return
            except UserError as error:
                with tab_jobs_lock:
                    later = superseded(started, request)
                # a later Run's status is not written over
                yield UNCHANGED if later else (f"**Cannot run:** {plain_text(str(error))}", None, None, None, None,
                                               "")
                return
            finally:
                with tab_jobs_lock:
                    tab_starts[request.session_hash].discard(started)
                    if not tab_starts[request.session_hash]:
                        del tab_starts[request.session_hash]
                    cancelled = started in cancelled_starts
                    cancelled_starts.discard(started)
            with tab_jobs_lock:
                later = superseded(started, request)
                if not later:
                    replaced = tab_jobs.get(request.session_hash)
                    tab_jobs[request.session_hash] = job.id
            if later:  # a Run pressed while this one set its job up: that Run's job, or its refusal, is shown
                queue.discard(job.id)
                yield UNCHANGED
                return
            if replaced:
                queue.discard(replaced)
            if cancelled:
                queue.cancel(job.id)
            try:
                while True:
                    # the state read under the queue's lock, as it is set: a job just done showed "done" here, in a
                    # yield of no results while the event went on, and a Run pressed then was dropped by the page
                    # (Gradio takes no click of a pending event); the end waits for the job's files to be settled
                    with tab_jobs_lock:
                        later = superseded(started, request)
                    if later:  # the tab's later Run stops this job (its event yields nothing from here on)
                        break
                    with queue.changed:
                        shown = describe(queue, job) if job.state in ("waiting", "running") else None
                    if shown is None:
                        job.finished.wait()
                        break
                    yield shown, job.id, None, None, None, ""
                    time.sleep(POLL_SECONDS)
            finally:
                # Gradio closes this generator when the tab is closed or reloaded: no page can show the job
                # any more, so it stops rather than hold the queue for the other tabs
                if not job.finished.is_set():
                    queue.cancel(job.id)
                with tab_jobs_lock:
                    later = superseded(started, request)
                    if tab_jobs.get(request.session_hash) == job.id:
                        del tab_jobs[request.session_hash]
            if later:  # the tab shows its later Run: this job's end (cancelled, or done and discarded) is not shown
                queue.discard(job.id)
                yield UNCHANGED
                return
            outputs = job.outputs()
            table_text = ""
            if "table" in outputs:
                with open(outputs["table"], encoding="utf-8") as file:
                    table_text = "**evaluate.py on the ground truth** (n/a: not computed)\n\n" + file.read()
            pair = (outputs["bicubic"], outputs["ours"]) if "ours" in outputs else None
            files = [outputs[kind] for kind in ("video", "frames_zip") if kind in outputs] or None
            yield describe(queue, job), job.id, outputs.get("video"), pair, files, table_text

        def stop_job(job, request: gr.Request):
            with tab_jobs_lock:  # a job being set up stops once it is (start_job); a Run pressed later is not stopped
                cancelled_starts.update(tab_starts.get(request.session_hash, ()))
            if job and queue.cancel(job):
                return describe(queue, queue.get(job))
            return gr.skip()

        page.load(lambda: model_choice(render=False), outputs=model)
        # one input at a time, the last chosen: with both, the upload ran while the page showed a sample chosen
        upload.upload(lambda: None, outputs=sample)
        sample.select(lambda: None, outputs=upload)
        run.click(start_job, [upload, sample, model, start, end, output_size, backend, precision, job_id],
                  [status, job_id, video, comparison, downloads, table], concurrency_limit=None,
                  trigger_mode="multiple")  # a Run pressed while the tab's job runs or waits replaces it
        cancel.click(stop_job, job_id, status, concurrency_limit=None)
    return page
