import { yazlZip } from '../helpers/zip-builder.js';

/** A SCORM 1.2 package with one page, index.html, holding `html`: for tests of what search finds inside packages. */
export async function packageWithPage(html: string): Promise<Buffer> {
  const manifest = `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="search.test" version="1" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
<metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
<organizations default="org"><organization identifier="org"><title>Course</title><item identifier="i1" identifierref="r1"><title>Lesson</title></item></organization></organizations>
<resources><resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="index.html"><file href="index.html"/></resource></resources>
</manifest>`;
  return yazlZip([
    { name: 'imsmanifest.xml', data: manifest },
    { name: 'index.html', data: html },
  ]);
}
