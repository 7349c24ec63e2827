using System;
using System.Collections.Generic;

namespace TogetherVideo
{
    /// <summary>Where a frame image goes on the timeline.</summary>
    public enum FramePosition
    {
        /// <summary>Let the server place it.</summary>
        Auto = 0,
        /// <summary>The first frame.</summary>
        First = 1,
        /// <summary>The last frame.</summary>
        Last = 2,
        /// <summary>At <see cref="FrameImage.Frame"/>.</summary>
        At = 3,
    }

    /// <summary>An image at a position of the timeline (media.frame_images).</summary>
    public sealed class FrameImage
    {
        /// <summary>An image to place at <paramref name="position"/>.</summary>
        /// <param name="url">The image's URL.</param>
        /// <param name="position">Where it goes.</param>
        /// <param name="frame">The frame number, for <see cref="FramePosition.At"/>
        /// (finite, not negative); ignored otherwise.</param>
        public FrameImage(string url, FramePosition position = FramePosition.Auto, double frame = 0)
        {
            Url = url;
            Position = position;
            Frame = frame;
        }

        /// <summary>The image's URL.</summary>
        public string Url { get; private set; }
        /// <summary>Where it goes.</summary>
        public FramePosition Position { get; private set; }
        /// <summary>The frame number, for <see cref="FramePosition.At"/>.</summary>
        public double Frame { get; private set; }
    }

    /// <summary>The fields of Together's CreateVideoBody. Only Model is required; null
    /// fields and empty lists are not sent. The library checks every value when the
    /// request is sent (together_video.h gives the rules); a value it refuses is an
    /// <see cref="ArgumentException"/> for the request parameter, with the library's
    /// message naming the field and the value given.</summary>
    public sealed class CreateVideoRequest
    {
        /// <summary>A request for <paramref name="model"/>; set the other fields as needed.</summary>
        /// <param name="model">The model, e.g. "minimax/video-01-director".</param>
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

        /// <summary>The model, e.g. "minimax/video-01-director". Required.</summary>
        public string Model { get; set; }
        /// <summary>What to generate: 1 to 32000 characters.</summary>
        public string Prompt { get; set; }
        /// <summary>The width in pixels (positive).</summary>
        public long? Width { get; set; }
        /// <summary>The height in pixels (positive).</summary>
        public long? Height { get; set; }
        /// <summary>The resolution, e.g. "720p".</summary>
        public string Resolution { get; set; }
        /// <summary>The aspect ratio, e.g. "16:9".</summary>
        public string Ratio { get; set; }
        /// <summary>The clip's length in seconds, as text ("5").</summary>
        public string Seconds { get; set; }
        /// <summary>Frames per second (positive; the server's default is 24).</summary>
        public long? Fps { get; set; }
        /// <summary>Denoising steps: 10 to 50.</summary>
        public long? Steps { get; set; }
        /// <summary>The seed, for repeatable results.</summary>
        public long? Seed { get; set; }
        /// <summary>How closely the video follows the prompt; finite, sent as a decimal (8.0).</summary>
        public double? GuidanceScale { get; set; }
        /// <summary>"MP4" or "WEBM" (any case).</summary>
        public string OutputFormat { get; set; }
        /// <summary>The compression quality (not negative; the server's default is 20).</summary>
        public long? OutputQuality { get; set; }
        /// <summary>What the video should avoid.</summary>
        public string NegativePrompt { get; set; }
        /// <summary>Whether to generate audio; null leaves it to the server.</summary>
        public bool? GenerateAudio { get; set; }
        /// <summary>Images at positions of the timeline (media.frame_images).</summary>
        public List<FrameImage> FrameImages { get; private set; }
        /// <summary>Starting clips' URLs (media.frame_videos).</summary>
        public List<string> FrameVideos { get; private set; }
        /// <summary>URLs of images that guide the general appearance (media.reference_images).</summary>
        public List<string> ReferenceImages { get; private set; }
        /// <summary>URLs of reference videos (media.reference_videos).</summary>
        public List<string> ReferenceVideos { get; private set; }
        /// <summary>The URL of a video to edit, sent as {"video": url}.</summary>
        public string SourceVideo { get; set; }
        /// <summary>URLs of audio inputs, each sent as {"audio": url}.</summary>
        public List<string> AudioInputs { get; private set; }
        /// <summary>Fields this version does not know: name to JSON text (e.g. "true" or
        /// "{\"x\":1}"), sent as given; one wins over a typed property of the same name.</summary>
        public Dictionary<string, string> ExtraJsonFields { get; private set; }

        /// <summary>Builds the native parameters, the library checking each field as it
        /// goes: a refused field is an ArgumentException (ArgumentOutOfRangeException for a
        /// number) for <paramref name="paramName"/>.</summary>
        internal CreateParamsHandle ToNative(string paramName)
        {
            var p = Native.tv_create_params_new();
            try
            {
                var set = new Setters(paramName);
                set.Check(Native.tv_create_params_set_model(p, set.Text(Model, "model")), "model");
                if (Prompt != null) set.Check(Native.tv_create_params_set_prompt(p, set.Text(Prompt, "prompt")), "prompt");
                if (Width.HasValue) set.Number(Native.tv_create_params_set_width(p, Width.Value), "width");
                if (Height.HasValue) set.Number(Native.tv_create_params_set_height(p, Height.Value), "height");
                if (Resolution != null) set.Check(Native.tv_create_params_set_resolution(p, set.Text(Resolution, "resolution")), "resolution");
                if (Ratio != null) set.Check(Native.tv_create_params_set_ratio(p, set.Text(Ratio, "ratio")), "ratio");
                if (Seconds != null) set.Check(Native.tv_create_params_set_seconds(p, set.Text(Seconds, "seconds")), "seconds");
                if (Fps.HasValue) set.Number(Native.tv_create_params_set_fps(p, Fps.Value), "fps");
                if (Steps.HasValue) set.Number(Native.tv_create_params_set_steps(p, Steps.Value), "steps");
                if (Seed.HasValue) set.Number(Native.tv_create_params_set_seed(p, Seed.Value), "seed");
                if (GuidanceScale.HasValue) set.Number(Native.tv_create_params_set_guidance_scale(p, GuidanceScale.Value), "guidance scale");
                if (OutputFormat != null) set.Check(Native.tv_create_params_set_output_format(p, set.Text(OutputFormat, "output format")), "output format");
                if (OutputQuality.HasValue) set.Number(Native.tv_create_params_set_output_quality(p, OutputQuality.Value), "output quality");
                if (NegativePrompt != null) set.Check(Native.tv_create_params_set_negative_prompt(p, set.Text(NegativePrompt, "negative prompt")), "negative prompt");
                if (GenerateAudio.HasValue) set.Check(Native.tv_create_params_set_generate_audio(p, GenerateAudio.Value ? 1 : 0), "generate audio");
                foreach (var image in FrameImages)
                {
                    if (image == null) throw new ArgumentException("FrameImages holds null", paramName);
                    set.Check(Native.tv_create_params_add_frame_image(p, set.Text(image.Url, "frame image"), (int)image.Position, image.Frame), "frame image");
                }
                foreach (var url in FrameVideos) set.Check(Native.tv_create_params_add_frame_video(p, set.Text(url, "frame video")), "frame video");
                foreach (var url in ReferenceImages) set.Check(Native.tv_create_params_add_reference_image(p, set.Text(url, "reference image")), "reference image");
                foreach (var url in ReferenceVideos) set.Check(Native.tv_create_params_add_reference_video(p, set.Text(url, "reference video")), "reference video");
                if (SourceVideo != null) set.Check(Native.tv_create_params_set_source_video(p, set.Text(SourceVideo, "source video"), 1), "source video");
                foreach (var url in AudioInputs) set.Check(Native.tv_create_params_add_audio_input(p, set.Text(url, "audio input"), 1), "audio input");
                foreach (var field in ExtraJsonFields)
                    set.Check(Native.tv_create_params_set_json_field(p, set.Text(field.Key, "extra field name"), set.Text(field.Value, "field " + field.Key)), "field " + field.Key);
                return p;
            }
            catch
            {
                p.Dispose();
                throw;
            }
        }
    }
}
