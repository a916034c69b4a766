export { exportErrors, type ExportErrorCode } from './export-errors.ts';
export { type ExportsTable } from './export.repository.ts';
export {
  createExport,
  type ExportFilters,
  type ExportProgress,
  type ExportResult,
  ExportRunner,
  type ExportSpec,
  exportFileFor,
  getExportFor,
  listExportsFor,
  runExport,
  writeExport,
} from './export.service.ts';
export { exportsRoutes } from './exports.routes.ts';
export { EXPORT_FORMAT_IDS, EXPORT_FORMATS, type ExportFormat, filesOf, formatFits, formatsFor, isExportFormat } from './formats.ts';
export { type ExportTarget, folderTarget, pathTarget, type WrittenFile } from './output.ts';
