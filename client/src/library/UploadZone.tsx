import { useRef, useState, type DragEvent } from 'react';

/** Drop a video anywhere on the zone, or pick one; every file goes to the server, which judges it. */
export function UploadZone({ onFiles }: { onFiles: (files: File[]) => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);

  const hasFiles = (e: DragEvent): boolean => Array.from(e.dataTransfer.types).includes('Files');

  return (
    <div
      className={`lib-dropzone${over ? ' lib-dropzone-over' : ''}`}
      data-testid="upload-zone"
      onDragEnter={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        setOver(true);
      }}
      onDragOver={(e) => {
        if (!hasFiles(e)) return;
        // Without this the browser opens the dropped file instead of handing it to the page.
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const files = Array.from(e.dataTransfer.files);
        if (files.length > 0) onFiles(files);
      }}
    >
      <p className="lib-dropzone-text">Drop videos here</p>
      <p className="lib-dropzone-or">or</p>
      <button type="button" className="lib-button lib-button-primary" onClick={() => input.current?.click()}>
        Choose a video…
      </button>
      <input
        ref={input}
        type="file"
        accept="video/*"
        multiple
        hidden
        data-testid="upload-input"
        onChange={(e) => {
          const files = Array.from(e.currentTarget.files ?? []);
          // Cleared so that choosing the same file again still fires a change.
          e.currentTarget.value = '';
          if (files.length > 0) onFiles(files);
        }}
      />
    </div>
  );
}
