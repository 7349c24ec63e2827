using System;
using System.Collections.Generic;

namespace TogetherVideo
{
    /// <summary>Where a frame image goes on the timeline.</summary>
    public enum FramePosition
    {
        /// <summary>Let the server place it.</summary>
        Auto = 0,
        First = 1,
        Last = 2,
        /// <summary>At FrameImage.Frame.</summary>
        At = 3,
    }

    /// <summary>An image at a position of the timeline (media.frame_images).</summary>
    public sealed class FrameImage
    {
        public FrameImage(string url, FramePosition position = FramePosition.Auto, double frame = 0)
        {
            Url = url;
            Position = position;
            Frame = frame;
        }

        public string Url { get; private set; }
        public FramePosition Position { get; private set; }
        public double Frame { get; private set; }
    }

    /// <summary>The fields of Together's CreateVideoBody. Only Model is required; null
    /// fields and empty lists are not sent.</summary>
    public sealed class CreateVideoRequest
    {
        public CreateVideoRequest(string model)
        {
            Model = model;
            FrameImages = new List<FrameImage>();
            FrameVideos = new List<string>();
            ReferenceImages = new List<string>();
            ReferenceVideos = new List<string>();
            AudioInputs = new List<string>();
            ExtraJsonFields = new Dictionary<string, string>();
        }

        public string Model { get; set; }
        public string Prompt { get; set; }
        public long? Width { get; set; }
        public long? Height { get; set; }
        public string Resolution { get; set; }
        public string Ratio { get; set; }
        /// <summary>The clip's length in seconds, as text ("5").</summary>
        public string Seconds { get; set; }
        public long? Fps { get; set; }
        public long? Steps { get; set; }
        public long? Seed { get; set; }
        /// <summary>Sent as a decimal (8.0).</summary>
        public double? GuidanceScale { get; set; }
        /// <summary>"MP4" or "WEBM".</summary>
        public string OutputFormat { get; set; }
        public long? OutputQuality { get; set; }
        public string NegativePrompt { get; set; }
        public bool? GenerateAudio { get; set; }
        public List<FrameImage> FrameImages { get; private set; }
        public List<string> FrameVideos { get; private set; }
        public List<string> ReferenceImages { get; private set; }
        public List<string> ReferenceVideos { get; private set; }
        /// <summary>Sent as {"video": url}.</summary>
        public string SourceVideo { get; set; }
        /// <summary>Each sent as {"audio": url}.</summary>
        public List<string> AudioInputs { get; private set; }
        /// <summary>Fields this version does not know: name to JSON text, sent as given.</summary>
        public Dictionary<string, string> ExtraJsonFields { get; private set; }

        /// <summary>Builds the native parameters, checking each field as it goes.</summary>
        internal CreateParamsHandle ToNative()
        {
            var p = Native.tv_create_params_new();
            try
            {
                Check("model", Native.tv_create_params_set_model(p, Utf8.ToNative(Model, "model")));
                if (Prompt != null) Check("prompt", Native.tv_create_params_set_prompt(p, Utf8.ToNative(Prompt, "prompt")));
                if (Width.HasValue) Check("width", Native.tv_create_params_set_width(p, Width.Value));
                if (Height.HasValue) Check("height", Native.tv_create_params_set_height(p, Height.Value));
                if (Resolution != null) Check("resolution", Native.tv_create_params_set_resolution(p, Utf8.ToNative(Resolution, "resolution")));
                if (Ratio != null) Check("ratio", Native.tv_create_params_set_ratio(p, Utf8.ToNative(Ratio, "ratio")));
                if (Seconds != null) Check("seconds", Native.tv_create_params_set_seconds(p, Utf8.ToNative(Seconds, "seconds")));
                if (Fps.HasValue) Check("fps", Native.tv_create_params_set_fps(p, Fps.Value));
                if (Steps.HasValue) Check("steps", Native.tv_create_params_set_steps(p, Steps.Value));
                if (Seed.HasValue) Check("seed", Native.tv_create_params_set_seed(p, Seed.Value));
                if (GuidanceScale.HasValue) Check("guidance scale", Native.tv_create_params_set_guidance_scale(p, GuidanceScale.Value));
                if (OutputFormat != null) Check("output format", Native.tv_create_params_set_output_format(p, Utf8.ToNative(OutputFormat, "output format")));
                if (OutputQuality.HasValue) Check("output quality", Native.tv_create_params_set_output_quality(p, OutputQuality.Value));
                if (NegativePrompt != null) Check("negative prompt", Native.tv_create_params_set_negative_prompt(p, Utf8.ToNative(NegativePrompt, "negative prompt")));
                if (GenerateAudio.HasValue) Check("generate audio", Native.tv_create_params_set_generate_audio(p, GenerateAudio.Value ? 1 : 0));
                foreach (var image in FrameImages)
                    Check("frame image", Native.tv_create_params_add_frame_image(p, Utf8.ToNative(image.Url, "frame image"), (int)image.Position, image.Frame));
                foreach (var url in FrameVideos) Check("frame video", Native.tv_create_params_add_frame_video(p, Utf8.ToNative(url, "frame video")));
                foreach (var url in ReferenceImages) Check("reference image", Native.tv_create_params_add_reference_image(p, Utf8.ToNative(url, "reference image")));
                foreach (var url in ReferenceVideos) Check("reference video", Native.tv_create_params_add_reference_video(p, Utf8.ToNative(url, "reference video")));
                if (SourceVideo != null) Check("source video", Native.tv_create_params_set_source_video(p, Utf8.ToNative(SourceVideo, "source video"), 1));
                foreach (var url in AudioInputs) Check("audio input", Native.tv_create_params_add_audio_input(p, Utf8.ToNative(url, "audio input"), 1));
                foreach (var field in ExtraJsonFields)
                    Check("field " + field.Key, Native.tv_create_params_set_json_field(p, Utf8.ToNative(field.Key, "extra field name"), Utf8.ToNative(field.Value, "field " + field.Key)));
                return p;
            }
            catch
            {
                p.Dispose();
                throw;
            }
        }

        /// <summary>A setter's failure explains itself only through the thread's last
        /// error, read at once on the same thread. The library's message is passed on as it
        /// is (it names the setting and the value given: "max retries must be from 0 to 10,
        /// not -1"), prefixed with <paramref name="field"/> only when it does not start with
        /// that name already.</summary>
        internal static void Check(string field, int code)
        {
            if (code == Native.Ok) return;
            var detail = Utf8.FromNative(Native.tv_last_error_message()) ?? Utf8.FromNative(Native.tv_result_name(code));
            var message = detail.StartsWith(field, StringComparison.OrdinalIgnoreCase) ? detail : field + ": " + detail;
            throw TogetherVideoException.Create((ResultCode)code, message, 0, null);
        }
    }
}
