CREATE TABLE "doc_snapshots" (
	"doc_name" text PRIMARY KEY NOT NULL,
	"state" "bytea" NOT NULL,
	"last_update_id" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "doc_updates" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"doc_name" text NOT NULL,
	"update" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"video_id" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sessions_video_id_unique" UNIQUE("video_id")
);
--> statement-breakpoint
CREATE TABLE "videos" (
	"id" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"original_name" text NOT NULL,
	"status" text DEFAULT 'ingesting' NOT NULL,
	"phase" text DEFAULT 'uploading' NOT NULL,
	"frames_done" integer DEFAULT 0 NOT NULL,
	"frames_total" integer,
	"bytes_received" bigint DEFAULT 0 NOT NULL,
	"width" integer,
	"height" integer,
	"num_frames" integer,
	"source_fps" double precision,
	"processing_fps" double precision,
	"duration_sec" double precision,
	"rotation" integer,
	"codec" text,
	"container" text,
	"vfr" boolean,
	"source_bytes" bigint,
	"frames_bytes" bigint,
	"created_by" text NOT NULL,
	"instance_id" text NOT NULL,
	"upload_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "videos_upload_id_unique" UNIQUE("upload_id"),
	CONSTRAINT "videos_status_check" CHECK ("videos"."status" in ('ingesting', 'ready')),
	CONSTRAINT "videos_phase_check" CHECK ("videos"."phase" in ('uploading', 'probing', 'extracting', 'finalizing', 'ready')),
	CONSTRAINT "videos_ready_check" CHECK (("videos"."status" = 'ready') = ("videos"."phase" = 'ready') and ("videos"."status" <> 'ready' or num_nonnulls("videos"."width", "videos"."height", "videos"."num_frames", "videos"."source_fps", "videos"."processing_fps", "videos"."duration_sec", "videos"."rotation", "videos"."codec", "videos"."container", "videos"."vfr", "videos"."source_bytes", "videos"."frames_bytes") = 12))
);
--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_video_id_videos_id_fk" FOREIGN KEY ("video_id") REFERENCES "public"."videos"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "doc_updates_doc_name_id_idx" ON "doc_updates" USING btree ("doc_name","id");--> statement-breakpoint
CREATE INDEX "videos_created_at_idx" ON "videos" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "videos_status_updated_at_idx" ON "videos" USING btree ("status","updated_at");