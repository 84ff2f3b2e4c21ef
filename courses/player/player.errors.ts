import { AppError } from '../../server/http/app-error.js';

export const playerErrors = {
  noContent: () => new AppError('player.no_content', 409, 'This course has no lessons to play yet. The enablement team has to upload its package first.'),
  unknownLesson: () => new AppError('player.unknown_lesson', 404, 'That lesson is not part of this course (it may belong to another version). Open the course again.'),
};
