"""Imported by the PDF forkserver only (`drawing._forkserver`): draw one tiny page, so fonts,
fontconfig and pango are set up once in the server rather than in every drawing process."""

from webapp.documents.drawing import draw

draw('<p style="font-family: Noto Sans CJK SC">审批单 OrgFlow 0</p>')
